"""Lesson 3, the extrapolation problem: attention scores past L leave the range seen in training,
Position Interpolation keeps them inside it, and the slow pairs are the ones meeting unseen angles."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...attention import angle_coverage, random_qk, relative_scores
from ...rope import TWO_PI, rotation_angles
from ...scaling import RopeSetting, scale_rope
from .. import figures as F
from ..assets import published
from .positions import axis_end, integer_samples
from .rope import FULL_TURN, NO_FULL_TURN

PAIR_EVALUATIONS = 500_000  # cos/sin pairs per stretch of distances: bounds the cost at any L and |D|
MAX_DISTANCES = 8000
BAND_FILL = "rgba(127, 127, 127, 0.22)"


def _distance_budget(head_dim: int) -> int:
    """Distances evaluated per stretch: at most 8,000, fewer for wide heads."""
    return max(1000, min(MAX_DISTANCES, PAIR_EVALUATIONS // (head_dim // 2)))


@dataclass(frozen=True)
class ScoreCurves:
    """A random pair's score by distance, extrapolated and (optionally) interpolated, and the numbers
    the lesson quotes: the trained band and how it was sampled, the extrapolated scores' range, the
    share of distances outside the band (up to L' and to the chart's end), how the stretch past L was
    sampled, and how far PI leaves the band (None when PI is hidden)."""

    figure: go.Figure
    trained_low: float
    trained_high: float
    band_sampled: bool
    band_distances: int
    beyond_low: float
    beyond_high: float
    outside_fraction: float
    outside_fraction_all: float
    beyond_distances: int
    beyond_sampled: bool
    axis_end: int
    pi_excess: float | None


def score_curves(setting: RopeSetting, *, seed: int, show_pi: bool) -> ScoreCurves:
    """score(Delta) = (R(m) q).(R(n) k) for a seeded random q, k (relative_scores), at integer
    distances 0..1.25 L': plain RoPE (extrapolated past L) and PI (theta_i / s, i.e. Delta / s).
    Long stretches are evaluated at one seeded random distance per stratum; the trained band is the
    min/max over the distances 0..L-1 evaluated (all of them when L is within the budget)."""
    trained_length = setting.original_length
    plain, pi = scale_rope("none", setting), scale_rope("linear", setting)
    target = setting.target_tokens
    end = axis_end(setting)
    budget = _distance_budget(setting.dim)
    q, k = random_qk(setting.dim, seed)

    inside = integer_samples(0, trained_length, budget, seed)
    beyond = integer_samples(trained_length, end, budget, seed + 1)
    inside_scores = relative_scores(q, k, inside, plain.inv_freq)
    beyond_scores = relative_scores(q, k, beyond, plain.inv_freq)
    low, high = float(inside_scores.min()), float(inside_scores.max())
    outside = (beyond_scores < low) | (beyond_scores > high)
    before_target = beyond < target

    fig = go.Figure()
    fig.add_hrect(
        y0=low,
        y1=high,
        fillcolor=BAND_FILL,
        line_width=0,
        layer="below",
        annotation_text="range of scores seen in training",
        annotation_position="bottom left",
    )
    color = F.METHOD_COLORS["none"]
    F.add_line(fig, inside, inside_scores, name="plain RoPE inside L (trained)", color=color, width=1)
    F.add_line(
        fig, beyond, beyond_scores, name="plain RoPE past L (extrapolated)", color=color, dash="dot", width=1
    )
    F.add_line(
        fig,
        beyond[outside],
        beyond_scores[outside],
        name="extrapolated, outside the trained range",
        color=NO_FULL_TURN,
        mode="markers",
        hover="%{y:.3f}",
    )
    pi_excess = None
    if show_pi:
        stretched = integer_samples(0, target, budget, seed + 2)
        pi_scores = relative_scores(q, k, stretched, pi.inv_freq)
        F.add_line(
            fig,
            stretched,
            pi_scores,
            name=f"PI: Δ / {setting.factor:g}, up to L'",
            color=F.METHOD_COLORS["linear"],
            width=1,
        )
        pi_excess = float(max(pi_scores.max() - high, low - pi_scores.min(), 0.0))
    F.shade_window(fig, 0, trained_length - 1)
    F.mark_x(fig, target - 1, "L'")
    F.base_layout(
        fig,
        title="Attention score against distance: extrapolated past L, interpolated by PI",
        x_title="relative distance Δ = m - n (tokens)",
        y_title="score q . k (unscaled)",
        height=440,
    )
    return ScoreCurves(
        figure=fig,
        trained_low=low,
        trained_high=high,
        band_sampled=len(inside) < trained_length,
        band_distances=len(inside),
        beyond_low=float(beyond_scores.min()),
        beyond_high=float(beyond_scores.max()),
        outside_fraction=float(outside[before_target].mean()) if before_target.any() else 0.0,
        outside_fraction_all=float(outside.mean()),
        beyond_distances=len(beyond),
        beyond_sampled=len(beyond) < end - trained_length,
        axis_end=end,
        pi_excess=pi_excess,
    )


SEED_SURVEY = 20
SURVEY_EVALUATIONS = 64_000  # distances x pairs per seed and stretch


@dataclass(frozen=True)
class EscapeSurvey:
    """Over ``seeds`` random pairs, the mean and largest share of distances between L and L' whose
    score leaves that pair's trained range."""

    seeds: int
    mean_fraction: float
    max_fraction: float


def escape_survey(setting: RopeSetting) -> EscapeSurvey:
    """Over seeds 0..19: the fraction of distances between L and L' whose score leaves the range
    that seed's pair showed inside L (both from at most 1,000 sampled distances, fewer for wide
    heads), so the text can say how typical the drawn pair is."""
    trained_length = setting.original_length
    inv_freq = scale_rope("none", setting).inv_freq
    budget = max(200, min(1000, SURVEY_EVALUATIONS // (setting.dim // 2)))
    inside = integer_samples(0, trained_length, budget, 0)
    beyond = integer_samples(trained_length, setting.target_tokens, budget, 1)
    if len(beyond) == 0:
        return EscapeSurvey(seeds=SEED_SURVEY, mean_fraction=0.0, max_fraction=0.0)
    fractions = []
    for seed in range(SEED_SURVEY):
        q, k = random_qk(setting.dim, seed)
        trained = relative_scores(q, k, inside, inv_freq)
        extrapolated = relative_scores(q, k, beyond, inv_freq)
        fractions.append(np.mean((extrapolated < trained.min()) | (extrapolated > trained.max())))
    return EscapeSurvey(
        seeds=SEED_SURVEY, mean_fraction=float(np.mean(fractions)), max_fraction=float(np.max(fractions))
    )


@dataclass(frozen=True)
class UnseenAngles:
    """Per pair, the largest angle in training, at L' and with PI, and the numbers the lesson quotes:
    how many pairs meet angles never seen (from which pair on), and the slowest pair's largest angle
    in training and at L'."""

    figure: go.Figure
    pairs: int
    unseen: int
    first_unseen: int | None
    slowest_trained: float
    slowest_target: float


def angle_chart(setting: RopeSetting) -> UnseenAngles:
    """Per pair: the largest angle reached in training, (L-1) theta_i, against the largest met at
    L' without scaling, (L'-1) theta_i (angle_coverage), and with PI, (L'-1) theta_i / s."""
    trained_length = setting.original_length
    plain, pi = scale_rope("none", setting), scale_rope("linear", setting)
    target = setting.target_length
    coverage = angle_coverage(plain.base_inv_freq, plain.inv_freq, trained_length, target)
    pi_max = (target - 1.0) * pi.inv_freq
    pairs = np.arange(len(plain.inv_freq))
    seen = ~coverage.unseen

    fig = go.Figure()
    F.add_line(fig, pairs, coverage.trained_max, name="trained max (L-1) θ_i", color=F.MUTED, width=2)
    F.add_line(
        fig,
        pairs[seen],
        coverage.target_max[seen],
        name="plain RoPE at L': angle seen",
        color=FULL_TURN,
        mode="markers",
        hover="%{y:.4g} rad",
    )
    F.add_line(
        fig,
        pairs[coverage.unseen],
        coverage.target_max[coverage.unseen],
        name="plain RoPE at L': angle never seen",
        color=NO_FULL_TURN,
        mode="markers",
        hover="%{y:.4g} rad",
    )
    F.add_line(
        fig,
        pairs,
        pi_max,
        name="PI at L': (L'-1) θ_i / s",
        color=F.METHOD_COLORS["linear"],
        dash="dash",
        width=1,
    )
    F.add_line(
        fig, [0, len(pairs) - 1], [TWO_PI, TWO_PI], name="one turn (2π)", color=F.MUTED, dash="dot", width=1
    )
    F.mark_coinciding(fig, rtol=0.01)  # PI's largest angle lies on the trained one: say so in its legend
    F.base_layout(
        fig,
        title="Which pairs meet angles never seen in training",
        x_title="pair i (0 = fastest)",
        y_title="largest relative angle (rad)",
        log_y=True,
    )
    unseen = coverage.unseen
    return UnseenAngles(
        figure=fig,
        pairs=len(pairs),
        unseen=int(unseen.sum()),
        first_unseen=int(np.argmax(unseen)) if unseen.any() else None,
        slowest_trained=float(coverage.trained_max[-1]),
        slowest_target=float(coverage.target_max[-1]),
    )


FIT_POINTS = 1024  # >= 2x the coefficients at |D| = 512; bounds the least-squares cost
# Ridge strength of the fit: minimise mean((a - y)^2) + RIDGE * |h|^2. Too small to change the fit
# inside L (its residual is the same to four digits), large enough to stop the minimum-norm least
# squares from cancelling huge coefficients of nearly collinear slow pairs (a peak of ~1e10 past L).
RIDGE = 1e-11
RIDGE_SWEEP = (0.0, 1e-12, 1e-11, 1e-10, 1e-9)


def _score_basis(distances: np.ndarray, inv_freq: np.ndarray) -> np.ndarray:
    """[cos(Delta theta_i), sin(Delta theta_i)]: every RoPE score Re sum_i h_i e^{i Delta theta_i}
    is a linear combination of these columns."""
    angles = rotation_angles(distances, inv_freq)
    return np.hstack([np.cos(angles), np.sin(angles)])


def _ridge_fits(basis: np.ndarray, targets: np.ndarray, ridges: tuple[float, ...]) -> list[np.ndarray]:
    """For each ridge, argmin_h mean((basis h - targets)^2) + ridge |h|^2, from one SVD
    basis = U S V^T (no normal equations: the basis is ill-conditioned): h = V S/(S^2 + ridge n) U^T y.
    ridge = 0 is the plain minimum-norm least squares (singular values below numpy.linalg.lstsq's
    default cutoff, eps max(shape) S_max, dropped)."""
    u, singular, vt = np.linalg.svd(basis, full_matrices=False)
    projected = u.T @ targets
    cutoff = np.finfo(float).eps * max(basis.shape) * singular[0]
    fits = []
    for ridge in ridges:
        if ridge == 0:
            gain = np.where(singular > cutoff, 1.0 / np.where(singular > cutoff, singular, 1.0), 0.0)
        else:
            gain = singular / (singular**2 + ridge * len(targets))
        fits.append(vt.T @ (gain * projected))
    return fits


@dataclass(frozen=True)
class FittedScore:
    """The PI paper's fitted score inside L, extrapolated and interpolated, and the numbers the lesson
    quotes: how many targets were fitted, the largest |a| of each curve (extrapolated up to L'), the
    ridge used, and the extrapolated peak for each ridge of RIDGE_SWEEP (0 = plain least squares)."""

    figure: go.Figure
    fit_points: int
    fitted_max: float
    extrapolated_max: float
    interpolated_max: float
    ridge: float
    peak_by_ridge: tuple[tuple[float, float], ...]


def fitted_score(setting: RopeSetting, *, seed: int) -> FittedScore:
    """The PI paper's figure 2 experiment: fit a score function a(Delta) = sum_i h_i-weighted cos and
    sin of Delta theta_i to random targets in [-1, 1] at random distances within [0, L] (ridge
    RIDGE), then draw |a| inside L, extrapolated past L, and interpolated, a(Delta / s), out to L'.
    Fitting on [0, L], as the paper does, covers PI's largest argument (L' - 1) / s = L - 1/s."""
    trained_length, scale = setting.original_length, setting.factor
    inv_freq = scale_rope("none", setting).inv_freq
    rng = np.random.default_rng(seed)
    points = min(2 * trained_length, FIT_POINTS)
    fit_at = rng.uniform(0, trained_length, points)
    fit_basis, targets = _score_basis(fit_at, inv_freq), rng.uniform(-1, 1, points)
    coefficients, *swept = _ridge_fits(fit_basis, targets, (RIDGE, *RIDGE_SWEEP))
    target = setting.target_tokens
    end = axis_end(setting)
    budget = _distance_budget(setting.dim) // 2
    inside = integer_samples(0, trained_length, budget, seed)
    beyond = integer_samples(trained_length, end, budget, seed + 1)
    stretched = integer_samples(0, target, budget, seed + 2)
    fitted = _score_basis(inside, inv_freq) @ coefficients
    beyond_basis = _score_basis(beyond, inv_freq)
    extrapolated = beyond_basis @ coefficients
    interpolated = _score_basis(stretched / scale, inv_freq) @ coefficients
    in_target = beyond < target if (beyond < target).any() else np.ones(len(beyond), bool)
    peak_by_ridge = tuple(
        (ridge, float(np.abs(beyond_basis[in_target] @ fit).max()))
        for ridge, fit in zip(RIDGE_SWEEP, swept, strict=True)
    )

    fig = go.Figure()
    F.add_line(fig, inside, np.abs(fitted), name="fitted inside L", color=F.METHOD_COLORS["none"], width=1)
    F.add_line(fig, beyond, np.abs(extrapolated), name="extrapolated past L", color=NO_FULL_TURN, width=1)
    F.add_line(
        fig,
        stretched,
        np.abs(interpolated),
        name=f"interpolated (PI): a(Δ / {scale:g})",
        color=F.METHOD_COLORS["linear"],
        width=1,
    )
    F.shade_window(fig, 0, trained_length - 1)
    F.mark_x(fig, target - 1, "L'")
    F.base_layout(
        fig,
        title="A score fitted on the trained window: bounded inside, exploding outside",
        x_title="relative distance Δ (tokens)",
        y_title="|a(Δ)| (log scale)",
        log_y=True,
        height=420,
    )
    return FittedScore(
        figure=fig,
        fit_points=points,
        fitted_max=float(np.abs(fitted).max()),
        extrapolated_max=float(np.abs(extrapolated[in_target]).max()),
        interpolated_max=float(np.abs(interpolated).max()),
        ridge=RIDGE,
        peak_by_ridge=peak_by_ridge,
    )


@dataclass(frozen=True)
class PublishedBound:
    """The PI paper's figure 2 numbers (published, not computed): the trained range of the fitted
    score, its extrapolated peak, how many times tighter the interpolation bound is, and the source."""

    source: str
    trained_low: float
    trained_high: float
    extrapolated_peak: float
    interpolation_bound_tighter_by: float


def published_bound() -> PublishedBound:
    """The PI paper's figure 2 numbers from assets/published.json."""
    bound = published()["pi_score_bound"]
    low, high = bound["trained_range"]
    return PublishedBound(
        source=bound["source"],
        trained_low=low,
        trained_high=high,
        extrapolated_peak=bound["extrapolated_peak"],
        interpolation_bound_tighter_by=bound["interpolation_bound_tighter_by"],
    )
