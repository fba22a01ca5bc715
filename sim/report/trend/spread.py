"""The trend's arms, how far it spread, its S-shape and the clustered against the rewired copy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.analysis import (
    S_END_DAYS,
    S_LEVEL_OFF,
    Results,
    TrendArm,
    final_adoption,
    final_adoption_summary,
    list_text,
    rewiring_differences,
    s_shape,
    s_shape_summary,
    summarise,
)
from sim.report.blocks import Estimate, Table, estimate_text, estimates, per_variant
from sim.report.trend.words import (
    count_text,
    direction,
    prose,
    replications_text,
    with_note,
)


def shape_rows(results: Results) -> dict[str, dict[str, Any]]:
    """`s_shape_summary` of the results, a row per arm."""
    rows = s_shape_summary(results.adoption).to_dict("records")
    return {str(r["variant"]): {str(k): v for k, v in r.items()} for r in rows}


def arms_table(results: Results, arms: Sequence[TrendArm]) -> Table:
    """Each arm: what it is, its final share and how many of its runs were S-shaped."""
    final = estimates(final_adoption_summary(results.adoption), ["variant"])
    shapes = shape_rows(results)
    rows = []
    for arm in arms:
        est = final.get((arm.name,))
        share = "no data" if est is None else estimate_text(est, label_ci=False)
        s = shapes.get(arm.name)
        if s is not None and s["grew"] > 0:
            shape = f"{int(s['s_shaped'])} of {int(s['n'])}"
        else:
            shape = "did not grow"
        rows.append([arm.name, arm.description, share, shape])
    header = [
        "arm",
        "what it is",
        prose("spread", "arms_header", last_day=results.last_day),
        "replications with an S-shaped curve",
    ]
    return Table(header, rows)


def _shape_reasons(runs: pd.DataFrame, last_day: int) -> str:
    """Why the runs that grew but were not S-shaped failed the check, counted."""
    failed = runs[runs["peak_day"].notna() & ~runs["s_shaped"].astype(bool)]
    inside = failed[failed["inside"].astype(bool)]
    flat_end = int((inside["end_ratio"] > S_LEVEL_OFF).sum())
    counts = {
        "at end": int((failed["peak_day"] >= last_day + 1).sum()),
        "at start": int((failed["peak_day"] <= 1).sum()),
        "flat end": flat_end,
        "bent": len(inside) - flat_end,
    }
    return list_text(
        [
            prose(
                "spread",
                "shape_reason",
                reason=reason,
                count=count,
                end_days=S_END_DAYS,
                level_off=100 * S_LEVEL_OFF,
            )
            for reason, count in counts.items()
            if count
        ]
    )


def shape_sentence(results: Results, arms: Sequence[TrendArm]) -> str:
    """Whether the adoption curves are S-shaped, arm by arm, with the reasons for those
    that are not."""
    runs = s_shape(results.adoption)
    summary = shape_rows(results)
    parts: list[str] = []
    for arm in arms:
        s = summary.get(arm.name)
        if not arm.has_trend or s is None:
            continue
        if s["grew"] == 0:
            parts.append(prose("spread", "never_grew", arm=arm.name))
            continue
        peak = estimate_text(
            Estimate(float(s["peak_day"]), float(s["peak_lo"]), float(s["peak_hi"]), s["grew"]),
            scale=1.0,
            unit="",
            label_ci=not parts,
        )
        parts.append(
            prose(
                "spread",
                "shape_arm",
                s_shaped=int(s["s_shaped"]),
                n=int(s["n"]),
                arm=arm.name,
                peak=peak,
                end_days=S_END_DAYS,
                end_percent=100 * s["end_ratio"],
                reasons=_shape_reasons(runs[runs["variant"] == arm.name], results.last_day),
            )
        )
    if not parts:
        return ""
    return prose("spread", "shape", end_days=S_END_DAYS, level_off=100 * S_LEVEL_OFF, arms=parts)


def spread_sentence(results: Results, arms: Sequence[TrendArm]) -> str:
    """How far the trend spread in each arm with it, out of how many members."""
    final = final_adoption(results.adoption)
    shares = summarise(final, "adopter_share", ["variant"], share=True)
    ests = estimates(shares, ["variant"])
    spread = [a.name for a in arms if a.has_trend and (a.name,) in ests]
    parts = [(v, estimate_text(ests[(v,)], label_ci=i == 0)) for i, v in enumerate(spread)]
    members = sorted({int(m) for m in final["members"]})
    ever_text: str | None = None
    if (final["ever_share"] > final["adopter_share"] + 1e-12).any():
        ever = estimates(summarise(final, "ever_share", ["variant"], share=True), ["variant"])
        ever_text = per_variant([(v, estimate_text(ever[(v,)], label_ci=False)) for v in spread])
    return prose(
        "spread",
        "spread",
        last_day=results.last_day,
        shares=per_variant(parts) if parts else "",
        members=list_text([count_text(m) for m in members]),
        replications=results.replications,
        without=list_text([a.name for a in arms if not a.has_trend]),
        ever=ever_text,
    )


def rewiring_verdicts(
    results: Results, arms: Sequence[TrendArm]
) -> list[tuple[str, str, str, Estimate, str]]:
    """Clustered minus rewired final adoption of each pair (`rewiring_differences`), judged
    against the direction of Centola 2010, whatever it shows: ``(contagion, rewired arm,
    clustered arm, difference, verdict)``."""
    diffs = rewiring_differences(results.adoption, arms)
    kinds = {a.name: a.contagion for a in arms}
    out = []
    for row in diffs.to_dict("records"):
        est = Estimate(float(row["mean"]), float(row["lo"]), float(row["hi"]), int(row["n"]))
        kind = kinds.get(str(row["b"]), "none")
        verdict = prose("spread", "rewiring_verdict", direction=direction(est), kind=kind)
        out.append((kind, str(row["a"]), str(row["b"]), est, verdict))
    return out


def centola_paragraph(results: Results, arms: Sequence[TrendArm]) -> str:
    """Clustered against rewired final adoption for each contagion (`rewiring_verdicts`)."""
    verdicts = rewiring_verdicts(results, arms)
    if not verdicts:
        return ""
    pairs = [
        prose(
            "spread",
            "centola_pair",
            kind=kind,
            clustered=b,
            rewired=a,
            difference=with_note(
                estimate_text(est, unit=" pp", signed=True), replications_text(est.n)
            ),
            verdict=verdict,
        )
        for kind, a, b, est, verdict in verdicts
    ]
    return prose("spread", "centola", pairs=pairs)


def centola_summary(results: Results, arms: Sequence[TrendArm]) -> str:
    """Each clustered minus rewired difference and its verdict, in one line ("" without)."""
    return "; ".join(
        prose(
            "spread",
            "summary_pair",
            clustered=b,
            rewired=a,
            difference=estimate_text(est, unit=" pp", signed=True),
            verdict=verdict,
        )
        for _, a, b, est, verdict in rewiring_verdicts(results, arms)
    )
