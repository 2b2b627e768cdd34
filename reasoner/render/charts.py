"""Charts of the clinician's report and the cohort summary, drawn by matplotlib as inline SVG.

Why matplotlib SVG: the report must open with no network fetch and print as it shows; an SVG
written by a maintained plotting library is plain markup in the page (no script, no font file:
text is drawn as paths), so it is self-contained and prints sharply. Nothing here decides a
clinical fact: the charts draw the findings of the pipeline and the bands, cut-offs and
reductions that :class:`~reasoner.render.report_data.ReportKnowledge` read from the ontology and
the policy. Every colour has a written label beside it (colour is never the only signal).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: render to files only

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from reasoner.render.report_data import Instrument, PatientData, ReportKnowledge  # noqa: E402

#: Deterministic SVG (ids from a fixed salt, no creation date), so the same data gives the same bytes.
_RC = {"svg.hashsalt": "trd-reasoner", "svg.fonttype": "path", "font.family": "DejaVu Sans", "font.size": 9}

#: Fill of a trial bar: (adequacy, failed) -> colour. The label on the bar says the same in words.
TRIAL_COLOURS = {
    ("adequate", True): "#c0392b",       # adequate and failed
    ("adequate", False): "#1e8449",      # adequate, not failed (remission, or outcome unknown)
    ("inadequate", False): "#7f8c8d",
    ("indeterminate", False): "#d4ac0d",
}
HATCH = {"inadequate": "//", "indeterminate": "xx"}
BAND_COLOURS = {"subsyndromal": "#eafaf1", "mild": "#fef9e7", "moderate": "#fdebd0", "severe": "#fadbd8",
                "severe with psychosis": "#f5b7b1"}
ECT_COLOUR = "#6c3483"
AUGMENT_COLOUR = "#2471a3"


def _date(value: Any) -> dt.date | None:
    """A date of the output (``YYYY-MM-DD``) or None when absent or unreadable."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _svg(fig: Any, tight: bool = True) -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, no doctype, no metadata).
    ``tight=False`` keeps the figure's own margins (charts that share a date axis)."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight" if tight else None, metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buffer.getvalue()
    start = text.find("<svg")
    return re.sub(r"<metadata>.*?</metadata>", "", text[start:], flags=re.S)


def date_range(patient: dict[str, Any], data: PatientData, as_of: str) -> tuple[dt.date, dt.date]:
    """The time span every chart of one patient shares (so the timeline and scores align)."""
    dates: list[dt.date] = []
    for t in patient.get("trials", []):
        dates += [d for d in (_date(t.get("start")), _date(t.get("end"))) if d]
    for name, keys in (("scores", ("date",)), ("ect", ("start", "end")), ("augmentation", ("start", "end")),
                       ("finding-measurements", ("date",))):
        for row in data[name]:
            dates += [d for d in (_date(row.get(k)) for k in keys) if d]
    onset = _date(data.episode_onset)
    if onset:
        dates.append(onset)
    end = _date(as_of)
    if not dates:
        last = end or dt.date.today()
        return last - dt.timedelta(days=365), last
    low, high = min(dates), max(dates)
    if end and end >= high and (end - high).days < 400:
        high = end  # show the evaluation date when it is near the data
    pad = dt.timedelta(days=max(7, (high - low).days // 30))
    return low - pad, high + pad


#: Width of a chart that shares the date axis, and its fixed side margins (inches): the timeline
#: and the score charts keep the same plot area, so their dates line up on the page.
WIDE, LEFT, RIGHT = 10.0, 1.75, 1.45


def _shared_axis_layout(fig: Any, height: float, top: float = 0.45, bottom: float = 0.45) -> None:
    fig.subplots_adjust(left=LEFT / WIDE, right=1 - RIGHT / WIDE, top=1 - top / height, bottom=bottom / height)


def _trial_label(t: dict[str, Any]) -> str:
    dose = f"{t['dailyDoseMg']:g} mg/d" if t.get("dailyDoseMg") is not None else "dose ?"
    return f"{t.get('drug') or 'unknown drug'} {dose}"


def _trial_status(t: dict[str, Any]) -> str:
    words = [t.get("adequacy") or "adequacy unknown", t.get("outcome") or "outcome unknown"]
    if t.get("failed"):
        words.append("FAILED")
    if t.get("weeksAtAdequateDose") is not None:
        words.append(f"{t['weeksAtAdequateDose']:g} wk at adequate dose")
    return " · ".join(words)


def timeline_svg(patient: dict[str, Any], data: PatientData, as_of: str, span: tuple[dt.date, dt.date]) -> str:
    """One bar per trial (with dose periods, augmentation and gaps) and per ECT course, over dates."""
    trials = patient.get("trials", [])
    periods: dict[str, list[dict[str, Any]]] = {}
    for row in data["dose-periods"]:
        periods.setdefault(row["trialId"], []).append(row)
    augment_on: dict[str, list[str]] = {}
    dated_augment = []
    for row in data["augmentation"]:
        if row.get("trialId"):
            augment_on.setdefault(row["trialId"], []).append(str(row.get("drugLabel") or "augmenting agent"))
        elif _date(row.get("start")):
            dated_augment.append(row)
    ect = [row for row in data["ect"] if _date(row.get("start"))]
    rows = len(trials) + len(dated_augment) + len(ect)
    with plt.rc_context(_RC):
        height = 1.3 + 0.62 * max(rows, 1)
        fig, ax = plt.subplots(figsize=(WIDE, height))
        _shared_axis_layout(fig, height, top=0.75, bottom=0.4)
        y = 0
        labels: list[str] = []
        for t in reversed(trials):
            start, end = _date(t.get("start")), _date(t.get("end")) or _date(as_of)
            key = (t.get("adequacy"), bool(t.get("failed")))
            colour = TRIAL_COLOURS.get(key, "#bbbbbb")
            hatch = HATCH.get(str(t.get("adequacy")))
            labels.append(_trial_label(t))
            status = _trial_status(t)
            extra = augment_on.get(t["id"])
            if extra:
                status += " · augmented: " + ", ".join(sorted(set(extra)))
            if start and end and end >= start:
                ax.barh(y, (end - start).days or 1, left=start, height=0.55, color=colour, hatch=hatch,
                        edgecolor="#333333", linewidth=0.6)
                ax.text(start, y + 0.3, status, fontsize=7.5, va="bottom", ha="left", color="#222222")
                _dose_periods(ax, y, periods.get(t["id"], []))
            else:
                ax.text(span[0], y, "  dates unknown or inconsistent (" + (t.get("start") or "?") + " – "
                        + (t.get("end") or "?") + ") · " + status, fontsize=7.5, va="center", color="#222222")
            y += 1
        for row in reversed(dated_augment):
            start, end = _date(row.get("start")), _date(row.get("end")) or _date(as_of)
            labels.append(f"+ {row.get('drugLabel') or 'augmenting agent'}"
                          + (f" {row['dose']:g} mg/d" if row.get("dose") is not None else ""))
            if start and end:
                ax.barh(y, max((end - start).days, 1), left=start, height=0.4, color=AUGMENT_COLOUR, edgecolor="#333333",
                        linewidth=0.6)
            y += 1
        for row in reversed(ect):
            start, end = _date(row.get("start")), _date(row.get("end")) or _date(row.get("start"))
            failed = row.get("absentResponse") is True
            labels.append(f"ECT {row.get('laterality') or '(laterality ?)'}")
            ax.barh(y, max((end - start).days, 1), left=start, height=0.45, color=ECT_COLOUR, edgecolor="#333333",
                    linewidth=0.6)
            ax.text(start, y + 0.3, "ECT course · " + ("absent response: FAILED" if failed else "response not absent"),
                    fontsize=7.5, va="bottom", color="#222222")
            y += 1
        onset = _date(data.episode_onset)
        if onset:
            ax.axvline(onset, color="#1f618d", linestyle="--", linewidth=1)
            ax.text(onset, y - 0.35, " current episode from " + onset.isoformat(), fontsize=7.5, color="#1f618d")
        evaluated = _date(as_of)
        if evaluated and span[0] <= evaluated <= span[1]:
            ax.axvline(evaluated, color="#555555", linestyle=":", linewidth=1)
            ax.text(evaluated, -0.75, "evaluated " + evaluated.isoformat() + " ", fontsize=7.5, ha="right", color="#555555")
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels)
        ax.set_ylim(-0.9, max(y, 1) - 0.1 + 0.5)
        _date_axis(ax, span)
        ax.legend(handles=_trial_legend(), loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=4, fontsize=7.5,
                  frameon=False)
        ax.set_title("Treatment timeline", loc="left", fontsize=10, pad=18)
        return _svg(fig, tight=False)


def _dose_periods(ax: Any, y: float, rows: list[dict[str, Any]]) -> None:
    """Dose periods inside a trial bar: the dose of each, an arrow where it rose, hatched gaps."""
    rows = sorted((r for r in rows if _date(r.get("start"))), key=lambda r: str(r["start"]))
    previous: dict[str, Any] | None = None
    for row in rows:
        start, end = _date(row["start"]), _date(row.get("end"))
        if row.get("dose") is not None and end:
            ax.text(start + (end - start) / 2, y, f"{row['dose']:g} mg", fontsize=7, ha="center", va="center",
                    color="white", fontweight="bold")
        if previous is not None:
            before = _date(previous.get("end"))
            if before and start and (start - before).days > 1:
                ax.barh(y, (start - before).days, left=before, height=0.55, color="white", hatch="..",
                        edgecolor="#333333", linewidth=0.4)
                ax.text(before + (start - before) / 2, y - 0.42, f"gap {(start - before).days - 1} d", fontsize=6.5,
                        ha="center", va="top")
            if (previous.get("dose") is not None and row.get("dose") is not None
                    and float(row["dose"]) > float(previous["dose"])):
                ax.annotate("dose ↑", (start, y + 0.28), fontsize=7, ha="center", va="bottom", color="#111111")
        previous = row


def _trial_legend() -> list[Patch]:
    return [Patch(facecolor=TRIAL_COLOURS[("adequate", True)], edgecolor="#333333", label="adequate, failed"),
            Patch(facecolor=TRIAL_COLOURS[("adequate", False)], edgecolor="#333333", label="adequate, not failed"),
            Patch(facecolor=TRIAL_COLOURS[("inadequate", False)], hatch="//", edgecolor="#333333", label="inadequate"),
            Patch(facecolor=TRIAL_COLOURS[("indeterminate", False)], hatch="xx", edgecolor="#333333",
                  label="indeterminate")]


def _date_axis(ax: Any, span: tuple[dt.date, dt.date]) -> None:
    ax.set_xlim(span[0], span[1])
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def scores_svg(instrument: Instrument, rows: list[dict[str, Any]], trial_scores: list[dict[str, Any]],
               knowledge: ReportKnowledge, policy: str, span: tuple[dt.date, dt.date]) -> str:
    """An instrument's scores over time on its severity bands, with the remission cut-off and, for
    each trial with a baseline, the score a response needs (the policy's reduction)."""
    every = sorted((_date(r["date"]), float(r["score"])) for r in rows if _date(r.get("date")))
    low_end = instrument.low if instrument.low is not None else float("-inf")
    high_end = instrument.high if instrument.high is not None else float("inf")
    points = [p for p in every if low_end <= p[1] <= high_end]
    outside = len(every) - len(points)  # out-of-range scores are data errors (listed as data issues)
    with plt.rc_context(_RC):
        height = 3.0
        fig, ax = plt.subplots(figsize=(WIDE, height))
        _shared_axis_layout(fig, height, top=0.35)
        top = instrument.high if instrument.high is not None else max([p[1] for p in points] + [10.0]) + 5
        for band in instrument.bands:
            ax.axhspan(band.low - 0.5, band.high + 0.5, color=BAND_COLOURS.get(band.severity, "#f4f6f6"), zorder=0)
            mid = (band.low + min(band.high, top)) / 2
            ax.text(1.005, mid, f"{band.severity} {band.low:g}–{band.high:g}", transform=ax.get_yaxis_transform(),
                    fontsize=7, va="center")
        if instrument.remission is not None:
            ax.axhline(instrument.remission, color="#1e8449", linestyle="--", linewidth=1.2)
            ax.text(span[0], instrument.remission - 0.4, f" remission ≤ {instrument.remission:g} (policy {policy})",
                    fontsize=7.5, color="#1e8449", va="top")
        reduction = knowledge.response_reduction
        for ts in trial_scores:
            if reduction is None or ts.get("instrument") != instrument.iri or ts.get("baseline") is None:
                continue
            target = float(ts["baseline"]) * (1 - reduction)
            x0, x1 = _date(ts.get("baselineDate")), _date(ts.get("endpointDate")) or _date(ts.get("baselineDate"))
            if x0 and x1:
                ax.hlines(target, x0, x1 if x1 > x0 else x0 + dt.timedelta(days=7), color="#b9770e", linestyles=":",
                          linewidth=1.4)
                ax.text(x1, target + 0.4, f"response ≤ {target:g} ({ts['trialId']})", fontsize=7, color="#b9770e",
                        va="bottom", ha="right")
        if points:
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color="#1b2631", linewidth=1.4,
                    markersize=4.5, zorder=3)
            for d, s in points:
                ax.annotate(f"{s:g}", (d, s), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7.5)
        if outside:
            ax.text(0.99, 0.97, f"{outside} score(s) outside {instrument.label}'s range not plotted: see Data issues",
                    transform=ax.transAxes, ha="right", va="top", fontsize=7.5, color="#922b21")
        ax.set_ylim((instrument.low or 0) - 0.5, top + 0.5)
        ax.set_ylabel(instrument.label)
        _date_axis(ax, span)
        ax.set_title(f"{instrument.label} over time: severity bands, remission cut-off, response needed "
                     f"({reduction:.0%} below each trial's baseline)" if reduction is not None else
                     f"{instrument.label} over time: severity bands and remission cut-off", loc="left", fontsize=10)
        return _svg(fig, tight=False)


def measurement_svg(what: str, unit: str | None, values: Sequence[tuple[str, float]],
                    thresholds: Sequence[tuple[str, float]]) -> str:
    """Measured values of one lab against the policy thresholds a finding compared them with."""
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(6.5, 0.7 + 0.35 * max(len(values), 1)))
        for i, (date, value) in enumerate(values):
            ax.plot([value], [i], marker="o", color="#1b2631", markersize=6)
            ax.text(value, i + 0.18, f" {value:g} {unit or ''} ({date})", fontsize=7.5, va="bottom")
        for label, threshold in thresholds:
            ax.axvline(threshold, color="#c0392b", linestyle="--", linewidth=1)
            ax.text(threshold, len(values) - 0.45, f" {label}: {threshold:g}", fontsize=7, color="#c0392b",
                    rotation=0, va="bottom")
        highest = max([v for _, v in values] + [t for _, t in thresholds] + [0.0])
        ax.set_xlim(0, highest * 1.3 or 1)
        ax.set_ylim(-0.6, len(values) + 0.2)
        ax.set_yticks([])
        ax.set_xlabel(f"{what} ({unit})" if unit else what)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        return _svg(fig)


def bar_svg(title: str, counts: dict[str, int], colour: str = "#2e86c1") -> str:
    """A horizontal bar chart of counts, each bar labelled with its number (cohort summary)."""
    items = list(counts.items())
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(6.5, 0.6 + 0.32 * max(len(items), 1)))
        names = [k for k, _ in items][::-1]
        values = [v for _, v in items][::-1]
        ax.barh(range(len(items)), values, color=colour)
        for i, v in enumerate(values):
            ax.text(v, i, f" {v:,}", va="center", fontsize=7.5)
        ax.set_yticks(range(len(items)))
        ax.set_yticklabels(names)
        ax.set_xlim(0, (max(values) if values else 1) * 1.2 or 1)
        ax.set_title(title, loc="left", fontsize=10)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if not items:
            ax.text(0.5, 0.5, "none", transform=ax.transAxes, ha="center")
        return _svg(fig)


__all__ = ["timeline_svg", "scores_svg", "measurement_svg", "bar_svg", "date_range", "TRIAL_COLOURS"]
