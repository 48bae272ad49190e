"""``habitat layers``: list a study area's layers with their roles and sizes."""

from __future__ import annotations

from pathlib import Path

import click

from habitat.cli.errors import handle_errors
from habitat.cli.options import layer_option, study_area_option


@click.command()
@study_area_option(
    "List the layers of this study-area file (see habitat.io.read_study_area) instead "
    "of the bundled ones."
)
@layer_option(
    "One of your own layers with its role (repeatable), as for `habitat report "
    "--layer`; listed instead of the bundled layers (added to --study-area's)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def layers(study_area_file: Path | None, layer_options: tuple[str, ...], as_json: bool) -> None:
    """List a study area's layers: role, label, features, areas (km², sq mi) and lengths.

    Without options, the bundled schematic Primorsky study area (the default of
    reports on data inside it). With --study-area and/or --layer, your layers
    (what `habitat report` would use with the same options).
    """
    from habitat import datasets
    from habitat.batch.study import layers_from_options, user_study_area
    from habitat.io.study_area import read_study_area
    from habitat.landscape.layers import summarise_layers

    given = read_study_area(study_area_file) if study_area_file is not None else None
    area = user_study_area(layers_from_options(layer_options), study_area=given)
    if area is None:
        area = datasets.primorsky()
    about = area.summary().set_index("key")
    sizes = summarise_layers(area.map_layers())
    table = about[["role", "label"]].join(sizes, how="left")
    table.index.name = "layer"
    if as_json:
        click.echo(table.reset_index().to_json(orient="records", indent=2))
        return
    shown = table.drop(columns="crs").round({"area_km2": 1, "area_sq_mi": 1, "length_km": 1})
    with_width = shown.to_string(na_rep="-")
    click.echo(with_width)
    cover = area.land_cover
    if cover is not None:
        names = ", ".join(f"{k} {v}" for k, v in sorted((cover.classes or {}).items()))
        click.echo(
            f"\nLand cover: {cover.shape[1]} x {cover.shape[0]} cells of "
            f"{cover.cell_size_m:g} m" + (f"; classes {names}" if names else "")
        )
    kind = "Schematic layers" if area.schematic else "Layers"
    click.echo(
        f"\n{area.name}: {kind} stored in EPSG:4326; areas measured in a local "
        "equal-area CRS, lengths in the layer's UTM zone."
    )
