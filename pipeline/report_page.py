"""Render a :class:`~voicescrub.pipeline.report.Report` as one self-contained HTML page.

Pure functions building strings: every value goes through ``html.escape``;
styles, script, charts and waveforms are inline and the audio is ``data:``
URIs, so the page opens offline and fetches nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
from typing import Dict, Final, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from voicescrub.pipeline.report import (
    AUDIT_OUTCOMES,
    AUDIT_RESIDUE,
    Clip,
    DeadLetterRow,
    Entity,
    ExcludedRow,
    Overview,
    Report,
    has_placeholder,
)
from voicescrub.transforms.audio.codec import decode_exact_pcm16

WAVE_WIDTH: Final = 600
WAVE_HEIGHT: Final = 72
_LABEL_LANE: Final = 12
_AXIS: Final = 14
_MIME: Final = {"flac": "audio/flac", "wav": "audio/wav"}
_AUDIT_LABELS: Final = {"clean": "clean", "widened": "widened", "not_audited": "not audited"}
_AUDIT_HUES: Final = {"clean": 150, "widened": 35, "not_audited": 220}


def esc(value: object) -> str:
    """Any value as escaped HTML text (attribute-safe: quotes escaped too)."""
    return html.escape("" if value is None else str(value), quote=True)


#: Hues of the entity types voicescrub's recognizers emit, grouped so a page reads at a
#: glance: cards red to orange, bank details blue to teal, government IDs violet,
#: credentials pink, people and contact details amber to green.
_ENTITY_HUES: Final = {
    "CREDIT_CARD": 0, "CARD_LAST4": 14, "CARD_CVV": 26, "CARD_EXPIRY": 38,
    "US_BANK_NUMBER": 222, "UK_BANK_ACCOUNT": 208, "FR_BANK_ACCOUNT": 232, "IBAN_CODE": 196,
    "ABA_ROUTING_NUMBER": 184, "UK_SORT_CODE": 172,
    "US_SSN": 268, "US_ITIN": 280, "FR_NIR": 256, "DATE_OF_BIRTH": 296,
    "PIN": 340, "PASSWORD": 326, "USERNAME": 312,
    "PERSON": 48, "PHONE_NUMBER": 140, "EMAIL_ADDRESS": 124, "STREET_ADDRESS": 100,
    "DIGIT_SEQUENCE": 160,
}


def entity_hue(entity_type: str) -> int:
    """One stable hue per entity type: the table above, else one drawn from its name."""
    if entity_type in _ENTITY_HUES:
        return _ENTITY_HUES[entity_type]
    digest = hashlib.sha256(entity_type.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 36 * 10


def entity_fill(entity_type: str) -> str:
    """SVG fill of an entity's span; audit residue is neutral slate."""
    if entity_type == AUDIT_RESIDUE:
        return "hsl(215 16% 47%)"
    return f"hsl({entity_hue(entity_type)} 70% 55%)"


def _chip_style(entity_type: str) -> str:
    if entity_type == AUDIT_RESIDUE:
        return "--hue:215;--sat:12%"
    return f"--hue:{entity_hue(entity_type)}"


# --- waveform ---------------------------------------------------------------------------

def envelope(pcm: np.ndarray, columns: int) -> Tuple[np.ndarray, np.ndarray]:
    """Min and max of each of ``columns`` equal slices of ``pcm``, in [-1, 1].

    :param pcm: int16 samples.
    :return: two float arrays of length ``columns`` (zeros for empty audio).
    """
    if len(pcm) == 0:
        return np.zeros(columns), np.zeros(columns)
    starts = np.minimum(np.linspace(0, len(pcm), columns + 1)[:-1].astype(np.int64), len(pcm) - 1)
    samples = pcm.astype(np.float64) / 32768.0
    return np.minimum.reduceat(samples, starts), np.maximum.reduceat(samples, starts)


def span_box(start_s: float, end_s: float, duration_s: float,
             width: float = WAVE_WIDTH) -> Tuple[float, float]:
    """``(x, width)`` of a time span on a waveform ``width`` wide showing ``duration_s``.

    Clamped to the clip, at least one unit wide so a short span stays visible.
    """
    if duration_s <= 0:
        return 0.0, 0.0
    left = min(max(start_s / duration_s, 0.0), 1.0) * width
    right = min(max(end_s / duration_s, 0.0), 1.0) * width
    return left, max(right - left, 1.0)


def _label_lanes(boxes: Sequence[Tuple[float, str]]) -> List[int]:
    """A lane per label, so labels of overlapping spans do not overprint."""
    lane_ends: List[float] = []
    lanes = []
    for x, label in boxes:
        text_end = x + 5.6 * len(label) + 6
        for lane, end in enumerate(lane_ends):
            if end <= x:
                lane_ends[lane] = text_end
                lanes.append(lane)
                break
        else:
            lane_ends.append(text_end)
            lanes.append(len(lane_ends) - 1)
    return lanes


def _tick_step(duration_s: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300):
        if duration_s / step <= 12:
            return step
    return 600


def waveform_svg(pcm: Optional[np.ndarray], sample_rate: int, entities: Sequence[Entity],
                 duration_s: float, width: int = WAVE_WIDTH) -> str:
    """An inline SVG min/max envelope with each entity's audio span shaded and labelled.

    :param pcm: int16 samples, or ``None`` when the audio could not be decoded
        (the spans are still drawn, over ``duration_s``).
    :param sample_rate: of ``pcm``.
    :param entities: every entity of the clip, audit residue included.
    :param duration_s: the clip's length (used when ``pcm`` is ``None``).
    """
    if pcm is not None and sample_rate > 0:
        duration_s = len(pcm) / sample_rate
    spans = sorted(entities, key=lambda e: (e.audio_start_s, e.audio_end_s))
    boxes = [span_box(e.audio_start_s, e.audio_end_s, duration_s, width) for e in spans]
    lanes = _label_lanes([(x, e.entity_type) for (x, _), e in zip(boxes, spans)])
    top = _LABEL_LANE * (max(lanes) + 1 if lanes else 0) + 2
    mid = top + WAVE_HEIGHT / 2
    height = top + WAVE_HEIGHT + _AXIS
    parts = [f'<svg class="waveform" '
             f'viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'aria-label="waveform with {len(spans)} redacted span(s)">',
             f'<rect class="wave-bg" x="0" y="{top}" width="{width}" height="{WAVE_HEIGHT}"/>']
    for (x, w), entity, lane in zip(boxes, spans, lanes):
        fill = entity_fill(entity.entity_type)
        title = (f"{entity.entity_type} {entity.audio_start_s:.2f}\u2013"
                 f"{entity.audio_end_s:.2f} s")
        parts.append(
            f'<g class="span" data-entity="{esc(entity.entity_type)}">'
            f'<title>{esc(title)}</title>'
            f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="{WAVE_HEIGHT}" '
            f'fill="{fill}" fill-opacity="0.22" stroke="{fill}" stroke-opacity="0.7"/>'
            f'<line x1="{x:.1f}" y1="{lane * _LABEL_LANE + 2}" x2="{x:.1f}" y2="{top}" '
            f'stroke="{fill}"/>'
            f'<text x="{x + 3:.1f}" y="{lane * _LABEL_LANE + 10}" fill="{fill}">'
            f'{esc(entity.entity_type)}</text></g>')
    if pcm is not None:
        lows, highs = envelope(pcm, width)
        half = WAVE_HEIGHT / 2 - 2
        upper = [f"{i + 0.5:.1f},{mid - max(h, 0.004) * half:.1f}" for i, h in enumerate(highs)]
        lower = [f"{i + 0.5:.1f},{mid - min(lo, -0.004) * half:.1f}"
                 for i, lo in reversed(list(enumerate(lows)))]
        parts.append(f'<path class="wave" d="M{" L".join(upper + lower)} Z"/>')
    else:
        parts.append(f'<text class="wave-missing" x="{width / 2}" y="{mid}">'
                     'audio could not be decoded</text>')
    step = _tick_step(duration_s)
    tick = 0.0
    while duration_s > 0 and tick <= duration_s + 1e-9:
        x = tick / duration_s * width
        anchor = "start" if tick == 0 else ("end" if x > width - 12 else "middle")
        parts.append(f'<line class="tick" x1="{x:.1f}" y1="{top + WAVE_HEIGHT}" x2="{x:.1f}" '
                     f'y2="{top + WAVE_HEIGHT + 3}"/>'
                     f'<text class="tick-label" x="{x:.1f}" y="{height - 1}" '
                     f'text-anchor="{anchor}">{tick:g}s</text>')
        tick += step
    parts.append("</svg>")
    return "".join(parts)


# --- charts and tables ------------------------------------------------------------------

def bar_chart(chart_id: str, title: str, items: Sequence[Tuple[str, int]],
              fills: Optional[Dict[str, str]] = None, default_fill: str = "hsl(215 60% 55%)",
              below: str = "") -> str:
    """A small horizontal bar chart in plain SVG, one bar per ``(label, count)``.

    :param below: HTML shown under the chart, in its box.
    """
    fills = fills or {}
    head = f'<figure class="chart" id="{esc(chart_id)}"><figcaption>{esc(title)}</figcaption>'
    if not items:
        return head + '<p class="empty">none</p></figure>'
    width, label_w, value_w, row = 540, 170, 48, 20
    most = max(count for _, count in items) or 1
    height = row * len(items)
    parts = [head, f'<svg viewBox="0 0 {width} {height}" '
                   f'width="100%" role="img" aria-label="{esc(title)}">']
    for i, (label, count) in enumerate(items):
        y = i * row
        bar = (width - label_w - value_w) * count / most
        shown = label if len(label) <= 24 else label[:23] + "\u2026"
        parts.append(
            f'<g class="bar" data-key="{esc(label)}" data-value="{count}">'
            f'<title>{esc(label)}: {count}</title>'
            f'<text class="bar-label" x="{label_w - 8}" y="{y + 14}" text-anchor="end">'
            f'{esc(shown)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{max(bar, 1 if count else 0):.1f}" '
            f'height="{row - 8}" rx="3" fill="{fills.get(label, default_fill)}"/>'
            f'<text class="bar-value" x="{label_w + bar + 6:.1f}" y="{y + 14}">{count:,}</text>'
            f'</g>')
    parts.append(f"</svg>{below}</figure>")
    return "".join(parts)


def _stat(key: str, label: str, value: object, shown: str, note: str = "") -> str:
    note_html = f'<span class="note">{esc(note)}</span>' if note else ""
    return (f'<div class="stat" data-stat="{esc(key)}" data-value="{esc(value)}">'
            f'<span class="stat-label">{esc(label)}</span>'
            f'<span class="stat-value">{esc(shown)}</span>{note_html}</div>')


def _table(table_id: str, headers: Sequence[str], rows: Iterable[Sequence[object]],
           row_class: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        f'<tr class="{esc(row_class)}">' + "".join(f"<td>{esc(cell)}</td>" for cell in cells)
        + "</tr>" for cells in rows)
    return (f'<div class="table-wrap"><table id="{esc(table_id)}">'
            f'<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')


def overview_html(overview: Overview) -> str:
    """The run's counts as tiles, bar charts and the dead letters by reason."""
    hours = overview.audio_seconds / 3600
    entity_total = sum(overview.entities_by_type.values())
    stats = "".join([
        _stat("lines_in", "lines in", overview.lines_in, f"{overview.lines_in:,}",
              "written + dead-lettered + excluded"),
        _stat("written", "utterances written", overview.written, f"{overview.written:,}"),
        _stat("dead_lettered", "dead-lettered", overview.dead_lettered,
              f"{overview.dead_lettered:,}"),
        _stat("excluded", "excluded", overview.excluded, f"{overview.excluded:,}"),
        _stat("critical_clips", "clips with critical PII", overview.critical_clips,
              f"{overview.critical_clips:,}"),
        _stat("entities", "entities redacted", entity_total, f"{entity_total:,}"),
        _stat("audio_seconds", "audio", f"{overview.audio_seconds:.3f}", f"{hours:.2f} h",
              f"{overview.audio_seconds:,.1f} s"),
    ])
    audit_items = [(outcome, overview.audit_outcomes.get(outcome, 0)) for outcome in AUDIT_OUTCOMES]
    by_reason = ""
    if overview.dead_lettered_by_reason:
        by_reason = _table("dead-letters-by-reason", ("stage", "error type", "count"),
                           [(stage, error, count) for (stage, error), count
                            in overview.dead_lettered_by_reason.items()])
    charts = "".join([
        bar_chart("chart-dead-letters", "Dead letters by stage",
                  list(overview.dead_lettered_by_stage.items()), default_fill="hsl(0 65% 60%)",
                  below=by_reason),
        bar_chart("chart-excluded", "Excluded by reason",
                  list(overview.excluded_by_reason.items()), default_fill="hsl(265 45% 62%)"),
        bar_chart("chart-entities", "Entities by type", list(overview.entities_by_type.items()),
                  fills={t: entity_fill(t) for t in overview.entities_by_type}),
        bar_chart("chart-audit", "Audit outcomes", audit_items,
                  fills={o: f"hsl({h} 55% 50%)" for o, h in _AUDIT_HUES.items()}),
    ])
    return (f'<section id="overview"><h2>Run overview</h2><div class="stats">{stats}</div>'
            f'<div class="charts">{charts}</div></section>')


# --- clips ------------------------------------------------------------------------------

def placeholders(text: str, entities: Sequence[Entity]) -> List[Entity]:
    """The entities whose placeholder can be marked in ``text``: in bounds, not overlapping."""
    marked: List[Entity] = []
    end = 0
    for entity in sorted((e for e in entities if has_placeholder(e)), key=lambda e: e.char_start):
        if end <= entity.char_start < entity.char_end <= len(text):
            marked.append(entity)
            end = entity.char_end
    return marked


def transcript_html(text: str, entities: Sequence[Entity]) -> str:
    """The redacted transcript, each placeholder a coloured chip of its entity type."""
    parts = []
    at = 0
    for entity in placeholders(text, entities):
        parts.append(esc(text[at:entity.char_start]))
        parts.append(f'<span class="chip" data-entity="{esc(entity.entity_type)}" '
                     f'style="{_chip_style(entity.entity_type)}">'
                     f'{esc(text[entity.char_start:entity.char_end])}</span>')
        at = entity.char_end
    parts.append(esc(text[at:]))
    return "".join(parts)


def audio_data_uri(audio: bytes, audio_format: str) -> str:
    mime = _MIME.get(audio_format, "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(audio).decode('ascii')}"


def _decoded(clip: Clip) -> Optional[np.ndarray]:
    try:
        return decode_exact_pcm16(clip.audio)
    except Exception:  # a broken clip still gets its card, its spans drawn without audio
        return None


def _entity_rows(clip: Clip) -> str:
    if not clip.entities:
        return '<p class="no-entities">no entity redacted</p>'
    rows = [(e.entity_type, f"{e.audio_start_s:.2f}\u2013{e.audio_end_s:.2f} s",
             f"{e.score:.2f}", e.recognizer)
            for e in sorted(clip.entities, key=lambda e: e.audio_start_s)]
    return (f'<details class="entities"><summary>{len(rows)} redacted span(s)</summary>'
            + _table(f"entities-{clip.utterance_id}", ("entity", "audio", "score", "recognizer"),
                     rows) + "</details>")


def clip_card(clip: Clip) -> str:
    """One clip: facts, redacted transcript, waveform with spans, player."""
    outcome = clip.audit_outcome
    rounds = "" if outcome == "not_audited" else (
        f" \u00b7 {clip.audit_rounds} round{'s' if clip.audit_rounds != 1 else ''}")
    badges = [f'<span class="badge audit-{esc(outcome)}">audit {esc(_AUDIT_LABELS[outcome])}'
              f'{esc(rounds)}</span>']
    if clip.contains_critical_pii:
        badges.insert(0, '<span class="badge critical">critical PII</span>')
    facts = [("speaker", clip.speaker_pseudonym), ("epoch", clip.pseudonym_epoch),
             ("recorded", f"{clip.recorded_at:%Y-%m-%d %H:%M} UTC"),
             ("duration", f"{clip.duration_s:.2f} s"), ("language", clip.language),
             ("audio", f"{clip.audio_format}, {clip.sample_rate} Hz")]
    facts_html = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    return (
        f'<article class="clip" data-utterance="{esc(clip.utterance_id)}" '
        f'data-entities="{esc(" ".join(clip.entity_types))}" '
        f'data-critical="{"true" if clip.contains_critical_pii else "false"}" '
        f'data-audit="{esc(outcome)}" data-duration-s="{clip.duration_s:.4f}">'
        f'<header class="clip-head"><h3>{esc(clip.utterance_id)}</h3>'
        f'<div class="badges">{"".join(badges)}</div></header>'
        f'<div class="clip-body"><dl class="facts">{facts_html}</dl>'
        f'<div class="clip-main"><p class="transcript">'
        f'{transcript_html(clip.transcript_redacted, clip.entities)}</p>'
        f'{waveform_svg(_decoded(clip), clip.sample_rate, clip.entities, clip.duration_s)}'
        f'<audio controls preload="metadata" '
        f'src="{esc(audio_data_uri(clip.audio, clip.audio_format))}"></audio>'
        f'{_entity_rows(clip)}</div></div></article>')


def _options(values: Iterable[str], labels: Optional[Dict[str, str]] = None) -> str:
    labels = labels or {}
    return '<option value="">any</option>' + "".join(
        f'<option value="{esc(v)}">{esc(labels.get(v, v))}</option>' for v in values)


def clips_html(report: Report) -> str:
    """The shown clips with the in-page filters and the entity colour legend."""
    shown, matching, written = len(report.clips), report.clips_matching, report.overview.written
    note = f"{shown:,} of {matching:,} clips shown"
    described = report.clip_filter.describe()
    if described:
        note += f" (of {written:,} written, filtered: {described})"
    note += ", ordered by pseudonym epoch, then utterance_id."
    types = sorted({t for clip in report.clips for t in clip.entity_types})
    legend = "".join(f'<span class="swatch" data-entity="{esc(t)}" style="{_chip_style(t)}">'
                     f'{esc(t)}</span>' for t in types)
    controls = (
        '<form class="filters" id="filters" onsubmit="return false">'
        f'<label>entity <select id="filter-entity">{_options(types)}</select></label>'
        '<label><input type="checkbox" id="filter-critical"> critical PII only</label>'
        f'<label>audit <select id="filter-audit">{_options(AUDIT_OUTCOMES, _AUDIT_LABELS)}'
        '</select></label><span id="filter-count" class="filter-count"></span></form>')
    cards = "".join(clip_card(clip) for clip in report.clips)
    if not cards:
        cards = '<p class="empty">no clip to show</p>'
    return (f'<section id="clips"><h2>Clips</h2>'
            f'<p class="shown" id="clips-shown" data-shown="{shown}" data-matching="{matching}">'
            f'{esc(note)}</p>{controls}<div class="legend">{legend}</div>'
            f'<div class="cards">{cards}</div></section>')


def _cut_note(shown: int, total: int) -> str:
    if shown < total:
        return f'<p class="cut">First {shown:,} of {total:,} rows shown, by manifest and line.</p>'
    return ""


def dead_letters_html(rows: Sequence[DeadLetterRow], total: int) -> str:
    body = _table("dead-letters", ("stage", "error type", "error message", "utterance_id",
                                   "manifest", "line"),
                  [(r.stage, r.error_type, r.error_message,
                    "\u2014" if r.utterance_id is None else r.utterance_id, r.manifest, r.line)
                   for r in rows], row_class="dead-letter") if rows else '<p class="empty">none</p>'
    return (f'<section id="dead-letter-section"><h2>Dead letters ({total:,})</h2>'
            f'{_cut_note(len(rows), total)}{body}</section>')


def excluded_html(overview: Overview, rows: Sequence[ExcludedRow]) -> str:
    counts = _table("excluded-by-reason", ("reason", "count"),
                    list(overview.excluded_by_reason.items()))
    body = _table("excluded", ("utterance_id", "reason", "manifest", "line"),
                  [(r.utterance_id, r.reason, r.manifest, r.line) for r in rows],
                  row_class="excluded-line") if rows else ""
    return (f'<section id="excluded-section"><h2>Excluded lines ({overview.excluded:,})</h2>'
            f'{counts}{_cut_note(len(rows), overview.excluded)}{body}</section>')


def render_page(report: Report) -> str:
    """The whole page, one string."""
    o = report.overview
    meta = [f"output {report.output}", f"generated {report.generated_at:%Y-%m-%d %H:%M} UTC"]
    if o.epochs:
        meta.append("epochs " + ", ".join(o.epochs))
    if o.pipeline_versions:
        meta.append("pipeline " + ", ".join(o.pipeline_versions))
    if o.asr_models:
        meta.append("ASR " + ", ".join(o.asr_models))
    meta_html = " \u00b7 ".join(f"<span>{esc(m)}</span>" for m in meta)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>voicescrub report</title>'
        f"<style>{_CSS}</style></head><body>"
        f'<header class="page-head"><h1>voicescrub report</h1><p class="meta">{meta_html}</p>'
        '</header><main>'
        f"{overview_html(o)}{clips_html(report)}"
        f"{dead_letters_html(report.dead_letters, o.dead_lettered)}"
        f"{excluded_html(o, report.excluded_rows)}"
        f"</main><script>{_SCRIPT}</script></body></html>\n")


_CSS: Final = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --bg:#f5f7fa; --card:#fff;
  --accent:#2f6fdf; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font-size:14px; line-height:1.45; }
main { max-width:1200px; margin:0 auto; padding:0 24px 48px; }
.page-head { background:#fff; border-bottom:1px solid var(--line); padding:16px 24px; }
.page-head h1 { margin:0; font-size:20px; max-width:1152px; margin:0 auto; }
.meta { margin:4px auto 0; color:var(--muted); font-size:12px; max-width:1152px; }
h2 { font-size:16px; margin:28px 0 12px; }
h3 { font-size:14px; margin:16px 0 8px; }
.stats { display:grid; grid-template-columns:repeat(7, 1fr); gap:10px; }
.stat { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 12px;
  display:flex; flex-direction:column; }
.stat-label { color:var(--muted); font-size:12px; }
.stat-value { font-size:22px; font-weight:600; }
.stat .note { color:var(--muted); font-size:11px; }
.charts { display:grid; grid-template-columns:repeat(2, 1fr); gap:10px; margin-top:10px; }
.chart { margin:0; background:var(--card); border:1px solid var(--line); border-radius:8px;
  padding:10px 12px; }
.chart figcaption { font-weight:600; font-size:12px; margin-bottom:6px; }
.chart table { margin-top:8px; }
.chart svg { display:block; font-size:12px; max-width:540px; }
.bar-label { fill:var(--ink); } .bar-value { fill:var(--muted); }
.empty { color:var(--muted); margin:4px 0; }
.table-wrap { overflow-x:auto; }
table { border-collapse:collapse; background:var(--card); border:1px solid var(--line);
  border-radius:8px; font-size:12px; }
th, td { text-align:left; padding:5px 10px; border-bottom:1px solid var(--line); }
th { background:#f0f3f7; font-weight:600; }
.cut { color:var(--muted); font-size:12px; }
.shown { color:var(--muted); margin:0 0 8px; }
.filters { display:flex; gap:18px; align-items:center; flex-wrap:wrap; background:var(--card);
  border:1px solid var(--line); border-radius:8px; padding:8px 12px; }
.filters select { margin-left:4px; }
.filter-count { margin-left:auto; color:var(--muted); font-size:12px; }
.legend { display:flex; flex-wrap:wrap; gap:6px; margin:10px 0; }
.cards { display:flex; flex-direction:column; gap:12px; }
.clip { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px 16px; }
.clip[hidden] { display:none; }
.clip-head { display:flex; align-items:center; gap:12px; }
.clip-head h3 { margin:0; font-family:ui-monospace, Menlo, Consolas, monospace; }
.badges { display:flex; gap:6px; }
.badge { font-size:11px; border-radius:10px; padding:1px 8px; border:1px solid; }
.badge.critical { color:#b42318; background:#fef3f2; border-color:#fecdca; }
.audit-clean { color:#067647; background:#ecfdf3; border-color:#abefc6; }
.audit-widened { color:#b54708; background:#fffaeb; border-color:#fedf89; }
.audit-not_audited { color:var(--muted); background:#f2f4f7; border-color:var(--line); }
.clip-body { display:grid; grid-template-columns:290px 1fr; gap:16px; margin-top:8px; }
.facts { display:grid; grid-template-columns:auto 1fr; gap:3px 10px; margin:0; font-size:12px;
  align-content:start; }
.facts dt { color:var(--muted); }
.facts dd { margin:0; overflow-wrap:anywhere; font-family:ui-monospace, Menlo, Consolas, monospace; }
.transcript { font-family:ui-monospace, Menlo, Consolas, monospace; font-size:13.5px; margin:0 0 8px;
  background:#fafbfc; border:1px solid var(--line); border-radius:6px; padding:8px 10px; }
.chip, .swatch { --sat:70%; display:inline-block; border-radius:4px; padding:0 4px;
  background:hsl(var(--hue) var(--sat) 92%); color:hsl(var(--hue) 60% 26%);
  border:1px solid hsl(var(--hue) var(--sat) 70%); font-weight:600; }
.swatch { font-size:11px; font-family:ui-monospace, Menlo, Consolas, monospace; }
.waveform { display:block; max-width:760px; font-size:9.5px; font-family:system-ui, sans-serif; }
.wave-bg { fill:#f8fafc; }
.wave { fill:#7b8794; }
.wave-missing { fill:var(--muted); text-anchor:middle; }
.tick { stroke:#9aa5b1; } .tick-label { fill:var(--muted); font-size:9px; }
.span text { font-weight:600; }
audio { display:block; width:100%; max-width:760px; height:32px; margin-top:6px; }
.entities { margin-top:6px; font-size:12px; }
.entities summary { color:var(--muted); cursor:pointer; }
.no-entities { color:var(--muted); font-size:12px; margin:6px 0 0; }
@media (max-width: 900px) { .stats { grid-template-columns:repeat(2, 1fr); }
  .charts { grid-template-columns:1fr 1fr; } .clip-body { grid-template-columns:1fr; } }
"""

_SCRIPT: Final = """
(function () {
  var cards = Array.prototype.slice.call(document.querySelectorAll('article.clip'));
  var entity = document.getElementById('filter-entity');
  var critical = document.getElementById('filter-critical');
  var audit = document.getElementById('filter-audit');
  var count = document.getElementById('filter-count');
  function apply() {
    var visible = 0;
    cards.forEach(function (card) {
      var ok = (!entity.value || card.dataset.entities.split(' ').indexOf(entity.value) >= 0)
        && (!critical.checked || card.dataset.critical === 'true')
        && (!audit.value || card.dataset.audit === audit.value);
      card.hidden = !ok;
      if (ok) { visible += 1; }
    });
    count.textContent = visible + ' of ' + cards.length + ' cards visible';
  }
  [entity, critical, audit].forEach(function (control) {
    control.addEventListener('change', apply);
  });
  apply();
  document.querySelectorAll('audio').forEach(function (player) {
    function mark() { player.setAttribute('data-duration', player.duration.toFixed(3)); }
    if (player.readyState >= 1) { mark(); } else { player.addEventListener('loadedmetadata', mark); }
  });
})();
"""
