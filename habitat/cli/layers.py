"""``habitat layers``: list the bundled study-area layers with their sizes."""

from __future__ import annotations

import click

from habitat.cli.errors import handle_errors


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@handle_errors
def layers(as_json: bool) -> None:
    """List the bundled layers with their areas in km² and sq mi (lengths for lines)."""
    from habitat import datasets
    from habitat.landscape.layers import summarise_layers

    table = summarise_layers(datasets.layers())
    if as_json:
        click.echo(table.reset_index().to_json(orient="records", indent=2))
        return
    shown = table.drop(columns="crs").round({"area_km2": 1, "area_sq_mi": 1, "length_km": 1})
    click.echo(shown.to_string(na_rep="-"))
    click.echo("\nSchematic layers (EPSG:4326); areas measured in a local equal-area CRS.")
