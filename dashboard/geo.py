"""Outlines of the Western Balkan states for the Map page, from Natural Earth (public domain).

The polygons are the Natural Earth 1:110m admin-0 countries (public domain),
as bundled by the ``geopandas`` 0.14 wheel in
``geopandas/datasets/naturalearth_lowres``; they are read with ``pyshp``
without importing geopandas itself. That edition draws Kosovo as its own unit.
When either package is missing the page falls back to one marker per
capital, and says so.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dashboard.charts import MapShape
from dashboard.labels import actor_name
from scoring.places import place_info

__all__ = [
    "CAPITALS", "ENTITY_POINTS", "MAP_SOURCE", "clicked_place", "place_name", "place_points",
    "region_shapes", "shapes_file",
]

MAP_SOURCE = "Outlines: Natural Earth 1:110m admin-0 (public domain), via geopandas 0.14 data."

# Natural Earth name → our actor code, for the states drawn on the map.
_NE_NAMES = {
    "Serbia": "SRB",
    "Kosovo": "KOS",
    "Bosnia and Herz.": "BIH",
    "Montenegro": "MNE",
    "North Macedonia": "MKD",
    "Macedonia": "MKD",
    "Albania": "ALB",
    "Croatia": "HRV",
    "Bulgaria": "BGR",
}
# Republika Srpska is an entity inside Bosnia and Herzegovina with no national
# outline in admin-0 data, so it is drawn as a marker at its administrative centre.
ENTITY_POINTS = (("RS", "Republika Srpska (Banja Luka)", 17.19, 44.77),)
# Fallback when no outlines are installed: capitals (lon, lat), public facts.
CAPITALS = (
    ("SRB", "Belgrade", 20.46, 44.82),
    ("KOS", "Pristina", 21.17, 42.67),
    ("BIH", "Sarajevo", 18.41, 43.86),
    ("RS", "Banja Luka", 17.19, 44.77),
    ("MNE", "Podgorica", 19.26, 42.44),
    ("MKD", "Skopje", 21.43, 42.00),
    ("ALB", "Tirana", 19.82, 41.33),
    ("HRV", "Zagreb", 15.98, 45.81),
    ("BGR", "Sofia", 23.32, 42.70),
)


def shapes_file() -> Path | None:
    """Where the installed Natural Earth shapefile is, or None when it is not installed."""
    spec = importlib.util.find_spec("geopandas")
    if spec is None or not spec.origin or importlib.util.find_spec("shapefile") is None:
        return None
    path = Path(spec.origin).parent / "datasets" / "naturalearth_lowres" / "naturalearth_lowres.shp"
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def region_shapes() -> tuple[MapShape, ...]:
    """The Western Balkan states as ``MapShape`` values; empty when no outlines are installed."""
    path = shapes_file()
    if path is None:
        return ()
    import shapefile  # pyshp; imported here so the dashboard runs without it

    shapes: list[MapShape] = []
    with shapefile.Reader(str(path)) as reader:
        for entry in reader.iterShapeRecords():
            code = _NE_NAMES.get(entry.record["name"])
            if code is None:
                continue
            points = entry.shape.points
            bounds = [*entry.shape.parts, len(points)]
            rings = tuple(
                tuple((float(x), float(y)) for x, y in points[bounds[i] : bounds[i + 1]])
                for i in range(len(bounds) - 1)
            )
            shapes.append(MapShape(code=code, name=str(entry.record["name"]), rings=rings))
    return tuple(sorted(shapes, key=lambda s: s.code))


PLACE_COLUMNS = ["place_id", "name", "lon", "lat", "score", "items"]


def place_points(totals: pd.DataFrame) -> pd.DataFrame:
    """``place_totals`` rows with their gazetteer name and coordinates (unknown ids, from
    an older gazetteer, are left out), biggest score first."""
    rows = []
    for r in totals.itertuples():
        info = place_info(str(r.place_id))
        if info is not None:
            rows.append((info.id, info.name, info.lon, info.lat, float(r.score), int(r.items)))
    frame = pd.DataFrame(rows, columns=PLACE_COLUMNS)
    return frame.sort_values(["score", "place_id"], ascending=[False, True], ignore_index=True)


def clicked_place(points: object) -> str | None:
    """The gazetteer id of the first clicked map point that is a place, else None."""
    if not isinstance(points, list | tuple):
        return None
    for point in points:
        custom = point.get("customdata") if isinstance(point, dict) else None
        value = custom[0] if isinstance(custom, list | tuple) and custom else custom
        if isinstance(value, str) and place_info(value) is not None:
            return value
    return None


def place_name(place_id: str) -> str:
    """"Zvečan (Kosovo)": the place and the country it counts for."""
    info = place_info(place_id)
    return f"{info.name} ({actor_name(info.country)})" if info else place_id
