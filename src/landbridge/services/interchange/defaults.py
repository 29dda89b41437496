"""The Lianyungang base's usual trading partners (their agreements as we assume them; adjust per contract)."""

from __future__ import annotations

from landbridge.services.interchange.partners import Partner, save_partner
from landbridge.store.unit_of_work import UnitOfWork

LIANYUNGANG_PARTNERS: tuple[dict[str, object], ...] = (
    {
        "code": "COSCO",
        "name": "COSCO Shipping Lines",
        "unb_id": "COSCO",
        "inbound": ["COPRAR:2.1", "BAPLIE:2.2", "BAPLIE:3.1", "MOVINS", "COPARN:2.1", "VERMAS", "CONTRL"],
        "outbound": ["COARRI:2.1", "CODECO:2.1", "CONTRL"],
        "tolerances": ["empty_recipient"],
        "party_code": "COSCO",
    },
    {
        "code": "SITC",
        "name": "SITC Container Lines",
        "unb_id": "SITC",
        "inbound": ["COPRAR:1.6", "BAPLIE:2.2", "CONTRL"],
        "outbound": ["COARRI:1.6", "CONTRL"],
        "tolerances": ["wrong_counts"],
        "party_code": "SITC",
    },
    {
        "code": "KTZE",
        "name": "KTZ Express (rail operator)",
        "unb_id": "KTZEXPRESS",
        "time_zone": "Asia/Almaty",
        "inbound": ["CODECO:1.6", "CODECO:2.1", "CONTRL"],
        "outbound": ["CODECO:2.1", "CONTRL"],
    },
    {
        "code": "DEPOTLYG",
        "name": "Lianyungang empty depot",
        "unb_id": "DEPOTLYG",
        "inbound": ["CODECO:2.1"],
        "outbound": ["CONTRL"],
        "tolerances": ["empty_recipient", "extra_trailer_element"],
    },
    {
        "code": "KZGRAIN01",
        "name": "Kazakh Grain Export LLP (shipper)",
        "unb_id": "KZGRAIN01",
        "time_zone": "Asia/Almaty",
        "inbound": ["VERMAS"],
        "outbound": ["CONTRL"],
        "party_code": "KZGRAIN01",
    },
)


def seed_partners(uow: UnitOfWork) -> list[Partner]:
    """Create (or refresh) the base's default partners; idempotent."""
    return [save_partner(uow, **spec) for spec in LIANYUNGANG_PARTNERS]  # type: ignore[arg-type]
