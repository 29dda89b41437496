"""Words that reach the pages from the database (statuses, event types, roles, crops).

They are translated at render time with ``_(value)``; listing them here puts them in the gettext
catalog, so a new status shows up as untranslated in the catalog test instead of silently in English.
"""

from __future__ import annotations


def _(message: str) -> str:
    return message


STATUSES = (
    _("announced"),
    _("berthed"),
    _("departed"),
    _("loading"),
    _("at_border"),
    _("gauge_changed"),
    _("arrived"),
    _("released"),
    _("cancelled"),
    _("scheduled"),
    _("not_departed"),
    _("to_border"),
    _("after_gauge_change"),
)
INTERCHANGE_STATUSES = (
    _("accepted"),
    _("partially_accepted"),
    _("rejected"),
    _("duplicate"),
    _("held"),
    _("processing"),
    _("queued"),
    _("failed"),
    _("acknowledged"),
    _("rejected_by_partner"),
)
LOAD_STATES = (_("full"), _("empty"))
POSITIONS = (_("yard"), _("vessel"), _("wagon"), _("truck"), _("cfs"), _("delivered"))
ROLES = (
    _("planner"),
    _("yard_operator"),
    _("gate_clerk"),
    _("rail_operator"),
    _("customs_officer"),
    _("shipping_line"),
    _("shipper"),
    _("auditor"),
    _("admin"),
    _("operator"),
    _("driver"),
)
# Equipment control: machine kinds and statuses, work instruction kinds, what a driver can report.
MACHINE_KINDS = (
    _("quay_crane"),
    _("rail_mounted_gantry"),
    _("reach_stacker"),
    _("terminal_tractor"),
    _("grain_loader"),
)
MACHINE_STATUSES = (_("working"), _("break"), _("out_of_service"))
INSTRUCTION_KINDS = (
    _("discharge"),
    _("load_vessel"),
    _("load_rail"),
    _("discharge_rail"),
    _("gate_pick_up"),
    _("gate_drop_off"),
    _("housekeeping"),
    _("relocation"),
    _("transport"),
    _("lift_to_tractor"),
    _("grain_receive"),
    _("grain_transfer"),
    _("grain_ship"),
    _("grain_stuff"),
)
PROBLEMS = (_("box_not_found"), _("damaged"), _("slot_occupied"), _("machine_fault"), _("other"))
CROPS = (_("wheat"), _("barley"), _("rapeseed"), _("corn"))
EVENTS = (
    _("container.registered"),
    _("container.discharged"),
    _("container.loaded_vessel"),
    _("container.placed"),
    _("container.loaded_wagon"),
    _("container.unloaded_wagon"),
    _("container.gate_in"),
    _("container.gate_out"),
    _("container.stuffed"),
    _("container.stripped"),
    _("container.gauge_transfer"),
    _("customs.hold_placed"),
    _("customs.hold_released"),
    _("container.moved"),
    _("container.departed"),
    _("container.arrived"),
    _("train.departed"),
    _("train.at_border"),
    _("train.arrived"),
    _("train.cancelled"),
)
# Places of the scenario (routes and border crossings), so Chinese and Kazakh staff read their own names.
PLACES = (
    _("Almaty"),
    _("Tashkent"),
    _("Astana"),
    _("Bishkek"),
    _("Dushanbe"),
    _("Ashgabat"),
    _("Moscow"),
    _("Duisburg"),
    _("Istanbul"),
    _("Lianyungang"),
    _("Khorgos / Altynkol"),
    _("Alashankou / Dostyk"),
)
