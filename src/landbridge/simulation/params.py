"""Modelling choices of the twin that the scenario file does not carry, each with its source.

They are overridable like scenario values: ``--set twin.port_moves_per_call=600``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


class TwinParameters(BaseModel):
    """Twin-only parameters; the description of each field is its source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    port_moves_per_call: Positive = Field(
        800, description="derived from P1 (≈5.7 M TEU/yr ÷ 1.55 TEU/box) ÷ P2 (86 services × 52 calls)"
    )
    port_moves_cv: NonNegative = Field(0.3, description="assumed spread of moves per call")
    days_base_to_border: Positive = Field(4.0, description="C2 (at Khorgos on day 4)")
    load_lead_h: Positive = Field(8.0, description="assumed: a train is placed on its track 8 h before departure")
    rmg_per_train: Annotated[int, Field(ge=1)] = Field(2, description="assumed gantries working one train")
    dwell_cv: NonNegative = Field(0.6, description="assumed coefficient of variation of yard dwell (gamma)")
    gate_service_cv: NonNegative = Field(0.5, description="assumed spread of gate service time (lognormal)")
    ship_margin_h: NonNegative = Field(24.0, description="assumed: a box is booked on a ship ≥ 24 h before its train")
    grain_ship_lot_t: Positive = Field(5000.0, description="assumed coaster lot of KZ transit wheat (G1, G2)")
    grain_loader_t_per_h: Positive = Field(400.0, description="assumed ship-loading rate of the silo")
    warmup_days: NonNegative = Field(30.0, description="assumed: run the empty base this long before day 0")
    train_type: str = Field("cn_1435", description="T1: trains leave and reach the base on the 1435 mm network")
    yard_sample_h: Positive = Field(6.0, description="assumed sampling interval of yard occupancy")
    # --- shared corridor and back-pressure
    corridor_traffic: bool = Field(True, description="other terminals' trains queue at the crossings (scenario)")
    crossing_servers: Annotated[int, Field(ge=1)] = Field(
        1, description="assumed: the interchange hands trains over one at a time (its limit is trains/day)"
    )
    crossing_service_cv: NonNegative = Field(
        0.1, description="assumed spread of the interchange's time per train (0 = deterministic, 1 = exponential)"
    )
    gauge_change_cv: NonNegative = Field(0.15, description="assumed spread of gauge-change time per train")
    reroute_threshold_h: NonNegative = Field(
        24.0, description="assumed: a dispatcher reroutes when the expected border wait exceeds a day"
    )
    poll_h: Positive = Field(1.0, description="assumed: a held train or blocked formation is re-checked hourly")
    yard_working_fill: Annotated[float, Field(gt=0, le=1)] = Field(
        0.9, description="assumed: drop-offs are refused above 90% of stacking positions (room for reshuffles)"
    )
    sea_retry_h: Positive = Field(6.0, description="assumed: a box the full yard cannot take waits at the quay")
    border_reserve_sets: Annotated[int, Field(ge=0)] = Field(
        2, description="assumed: empty 1435 sets kept at a crossing for eastbound trains; the rest run home"
    )
    # --- demand and departures
    min_load_share: Annotated[float, Field(ge=0, le=1)] = Field(
        0.9, description="F3: a train leaves with at most 10% empty slots"
    )
    max_hold_h: NonNegative = Field(24.0, description="assumed: a train short of boxes waits a day at most")
    cancel_below_share: Annotated[float, Field(ge=0, le=1)] = Field(
        0.5, description="assumed: after the hold a train under half full is cancelled"
    )
    max_backlog_trains: Positive = Field(
        2.0, description="assumed: bookings are refused when two trains' worth already wait"
    )
    direct_window_h: NonNegative = Field(
        4.0, description="assumed: a sea box on a train within 4 h of discharge counts as a direct transfer (B21)"
    )
