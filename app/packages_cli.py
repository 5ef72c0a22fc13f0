"""``flask --app wsgi package add|list|remove``: what a client's offer includes.

    flask --app wsgi package add camille ana@example.com --per month --count 4 \\
        --offers session --beyond bill --price "60 EUR"
    flask --app wsgi package list camille
    flask --app wsgi package remove 3
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.models import ClientPackage

package_cli = AppGroup("package", help="Clients' packages: bookings included per week or month.")


def _offers(value: str | None) -> list[str] | None:
    if value is None or value.strip().lower() in ("", "all", "*"):
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


@package_cli.command("add")
@click.argument("slug")
@click.argument("email")
@click.option("--per", type=click.Choice(["week", "month"]), required=True, help="Period.")
@click.option("--count", type=int, required=True, help="Bookings included per period.")
@click.option(
    "--offers", default=None, metavar="A,B", help="Offer slugs covered (default: all offers)."
)
@click.option(
    "--beyond",
    type=click.Choice(["refuse", "bill"]),
    default="refuse",
    show_default=True,
    help="Beyond the allowance: refuse (quota_exceeded) or accept as a billed extra.",
)
@click.option(
    "--price", default=None, help='Price of an extra, e.g. "60 EUR" (with --beyond bill).'
)
def package_add(
    slug: str,
    email: str,
    per: str,
    count: int,
    offers: str | None,
    beyond: str,
    price: str | None,
) -> None:
    """Give the client EMAIL of owner SLUG a package."""
    from app.services.owners import NotFound, get_owner, owner_boundaries
    from app.services.packages import PackageError, add_package

    try:
        owner = get_owner(slug)
    except NotFound:
        click.echo(f"no owner with slug {slug!r}", err=True)
        raise SystemExit(1) from None
    try:
        row = add_package(
            owner,
            owner_boundaries(owner),
            email,
            per=per,
            count=count,
            offers=_offers(offers),
            beyond=beyond,
            price=price,
        )
    except PackageError as exc:
        click.echo("nothing was changed:", err=True)
        for field, reason in exc.fields.items():
            click.echo(f"  {field}: {reason}", err=True)
        raise SystemExit(1) from None
    click.echo(f"package {row.id}: {describe(row)}")


@package_cli.command("list")
@click.argument("slug")
def package_list(slug: str) -> None:
    """List owner SLUG's packages with their use in the current period."""
    from app.clock import now
    from app.services.owners import NotFound, get_owner
    from app.services.packages import package_usage, packages_of

    try:
        owner = get_owner(slug)
    except NotFound:
        click.echo(f"no owner with slug {slug!r}", err=True)
        raise SystemExit(1) from None
    rows = packages_of(owner.id)
    if not rows:
        click.echo("no packages")
        return
    moment = now()
    for row in rows:
        used = package_usage(owner, row, moment).usage
        click.echo(
            f"{row.id}\t{describe(row)}\t"
            f"used {used.used} of {used.allowance} ({used.first} to {used.last})"
        )


@package_cli.command("remove")
@click.argument("package_id", type=int)
def package_remove(package_id: int) -> None:
    """Remove package PACKAGE_ID (bookings already made keep their billing)."""
    from app.services.packages import remove_package

    email = remove_package(package_id)
    if email is None:
        click.echo(f"no package {package_id}", err=True)
        raise SystemExit(1)
    click.echo(f"removed package {package_id} of {email}")


def describe(row: ClientPackage) -> str:
    """``ana@example.com: 4 per month of session; beyond: billed 60 EUR``."""
    offers = ", ".join(row.offers) if row.offers else "all offers"
    beyond = f"billed {row.extra_price}" if row.beyond == "bill" else "refused"
    return f"{row.client_email}: {row.count} per {row.per} of {offers}; beyond: {beyond}"
