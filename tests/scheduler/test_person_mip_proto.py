"""The per-person MIP's model written in the packed wire format (person_mip._Lp.proto) is
the very message that filling MathOpt's ModelProto field by field gives."""

from __future__ import annotations

import json

import numpy as np
import pytest
from ortools.math_opt import model_pb2

from benchmarks.shapes import Shape, make_instance
from scheduler import load_instance
from scheduler import person_mip as pm
from scheduler.paths import seat_limits
from scheduler.seatdata import Placement, SeatData

from .helpers import shared_example


def _reference(lp: pm._Lp) -> model_pb2.ModelProto:
    """Field by field, with ``extend`` (the slow, obvious way)."""
    mp = model_pb2.ModelProto()
    v = mp.variables
    v.ids.extend(range(lp.n))
    v.lower_bounds.extend(np.concatenate(lp.lb).tolist())
    v.upper_bounds.extend(np.concatenate(lp.ub).tolist())
    v.integers.extend(np.concatenate(lp.integer).tolist())
    gain = np.concatenate(lp.gain)
    nz = np.flatnonzero(gain)
    mp.objective.maximize = True
    mp.objective.offset = lp.constant
    mp.objective.linear_coefficients.ids.extend(nz.tolist())
    mp.objective.linear_coefficients.values.extend(gain[nz].tolist())
    lc = mp.linear_constraints
    lc.ids.extend(range(lp.m))
    lc.lower_bounds.extend(np.concatenate(lp.rlo).tolist())
    lc.upper_bounds.extend(np.concatenate(lp.rhi).tolist())
    r, c, val = np.concatenate(lp.ri), np.concatenate(lp.ci), np.concatenate(lp.vi)
    order = np.lexsort((c, r))
    mat = mp.linear_constraint_matrix
    mat.row_ids.extend(r[order].tolist())
    mat.column_ids.extend(c[order].tolist())
    mat.coefficients.extend(val[order].tolist())
    return mp


def _built(data: dict) -> pm._Built:
    inst = load_instance(data)
    ridx = {r: i for i, r in enumerate(inst.round_ids)}
    place = Placement([ridx[s.round] for s in inst.sessions], [s.room for s in inst.sessions])
    lim = seat_limits(inst, place)
    return pm._build(SeatData(inst, place), lim.cap, lim.min_aud, lim.rows, False)


@pytest.mark.parametrize("day", ["2016", "r4-60-changes", "r2-40-idle"])
def test_the_packed_model_is_the_field_by_field_one(day):
    if day == "2016":
        data = json.loads(shared_example("restitution-2016.json").read_text(encoding="utf-8"))
    elif day == "r4-60-changes":
        data = make_instance(Shape(rounds=4, participants=60, previous_share=0.5,
                                   change_penalty=30), seed=2)
    else:
        data = make_instance(Shape(rounds=2, participants=40, themes=3), seed=4)
        data["options"] = {**data.get("options", {}), "allow_idle": True}
    lp = _built(data).lp
    assert lp.proto() == _reference(lp)


def test_varints_match_the_protocol_buffers_encoding():
    from google.protobuf.internal import encoder

    values = [0, 1, 127, 128, 300, 16383, 16384, 2**31 - 1, 2**35 + 7, 2**62]
    expected = b"".join(encoder._VarintBytes(v) for v in values)
    assert pm._varints(np.array(values, dtype=np.int64)) == expected
    assert pm._varints(np.zeros(0, np.int64)) == b""
