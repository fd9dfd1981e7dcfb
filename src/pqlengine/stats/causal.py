"""Average treatment effects from observational data: IPW, AIPW and propensity matching.

Pure maths over any table (a pandas DataFrame or a mapping of column name -> array); nothing
here reads the store. `estimate_effect` returns a `CausalEstimate` carrying the estimate, its
interval and how it was obtained, overlap diagnostics and covariate balance; when an effect
cannot be estimated it says why (a reason code and a sentence) instead of inventing a number.

Conventions: treatment is 0/1 (or bool); the propensity e(x) = P(treated | x) comes from an
unpenalised logistic regression (statsmodels GLM) on the confounders (numeric ones as given,
categorical ones one-hot encoded); effects are differences of means on the outcome's scale
(probability points for a 0/1 outcome).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Any, Literal

import numpy as np
from scipy.special import expit
from scipy.stats import norm
from statsmodels.genmod.families import Binomial
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning
from threadpoolctl import ThreadpoolController

from pqlengine.stats.intervals import Unavailable

Estimand = Literal["ATT", "ATE"]
Method = Literal["aipw", "ipw", "matching"]
OutcomeType = Literal["auto", "binary", "continuous"]
TrimRule = None | str | float | tuple[float, float]

ESTIMANDS = ("ATT", "ATE")
METHODS = ("aipw", "ipw", "matching")
MIN_PER_GROUP = 2
VARIANCE_NEIGHBOURS = 2  # J of the Abadie-Imbens conditional-variance estimate (Stata's nn(2))
EXTREME_PROPENSITY = 0.01  # reported (not acted on) below this or above 1 - this
POSITIVITY_EPS = 1e-8  # a weighting estimator refuses propensities this close to 0 or 1
LOW_ESS_SHARE = 0.1  # warn when a group's effective sample size is below this share of it


@dataclass(frozen=True)
class Balance:
    """Standardised mean difference (treated - control) / pooled SD of one covariate column.

    `before`: unweighted, on all rows; `after`: under the estimator's weights (IPW weights
    for ipw/aipw, match counts for matching), on the rows kept after trimming. Both use the
    unweighted pooled SD of all rows, so they are comparable. Categorical confounders get
    one row per level (`name=level`).
    """

    covariate: str
    smd_before: float
    smd_after: float | None


@dataclass(frozen=True)
class Overlap:
    """How well treated and controls overlap in propensity, and what trimming did."""

    propensity_treated: tuple[float, float]  # min, max before trimming
    propensity_control: tuple[float, float]
    extreme_share: float  # share of rows with propensity < 0.01 or > 0.99, before trimming
    ess_treated: float | None  # effective sample size (sum w)^2 / sum w^2, after trimming
    ess_control: float | None
    trim_rule: str
    trim_bounds: tuple[float, float] | None  # rows kept have low <= propensity <= high
    trimmed_treated: int
    trimmed_control: int
    trimmed_share: float


@dataclass(frozen=True)
class CausalEstimate:
    """An average treatment effect, or the reason it could not be estimated.

    `estimate` is E[Y(1) - Y(0)] over the treated (ATT) or everyone (ATE), restricted to the
    rows kept after trimming when trimming dropped any (then the target population is the
    overlap population, `overlap.trim_bounds`). `naive` is the plain difference of means
    on all rows, with its Welch normal interval `naive_ci`. `interval_method` says how
    `std_error` and the interval were obtained. `n_treated` and `n_control` count the rows
    analysed (after trimming); `treated_mean` is the mean outcome of the treated rows
    analysed (for the ATT, E[Y(1)] of its target population, so E[Y(0)] = treated_mean -
    estimate).
    """

    estimand: str
    method: str
    outcome_type: str
    alpha: float
    estimate: float | None
    std_error: float | None
    ci_low: float | None
    ci_high: float | None
    interval_method: str | None
    naive: float | None
    naive_ci: tuple[float, float] | None
    n_treated: int
    n_control: int
    overlap: Overlap | None
    balance: tuple[Balance, ...]
    reason: Unavailable | None = None
    warnings: tuple[str, ...] = ()
    treated_mean: float | None = None

    @property
    def available(self) -> bool:
        """True when an estimate was produced."""
        return self.estimate is not None

    def summary(self) -> Any:
        """The estimate and the naive difference as a pandas table (rows: naive, estimand)."""
        import pandas as pd

        level = f"{100 * (1 - self.alpha):g}%"
        naive_low, naive_high = self.naive_ci or (None, None)
        rows = [
            ("naive difference", self.naive, None, naive_low, naive_high, "Welch normal"),
            (
                f"{self.estimand} ({self.method})",
                self.estimate,
                self.std_error,
                self.ci_low,
                self.ci_high,
                self.interval_method or (self.reason.message if self.reason else None),
            ),
        ]
        columns = ["estimate", "std_error", f"ci_low {level}", f"ci_high {level}", "interval"]
        return pd.DataFrame([r[1:] for r in rows], index=[r[0] for r in rows], columns=columns)

    def balance_table(self) -> Any:
        """Standardised mean differences before and after adjustment, as a pandas table."""
        import pandas as pd

        return pd.DataFrame(
            [(b.smd_before, b.smd_after) for b in self.balance],
            index=[b.covariate for b in self.balance],
            columns=["smd_before", "smd_after"],
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the reason as {code, message})."""
        return asdict(self)


class CausalEffect:
    """`estimate_effect` in the estimator shape: `CausalEffect(...).fit(data, ...)`."""

    def __init__(
        self,
        estimand: Estimand = "ATT",
        method: Method = "aipw",
        alpha: float = 0.05,
        trim: TrimRule = None,
        n_bootstrap: int = 0,
        seed: int | None = None,
    ) -> None:
        self.estimand = estimand
        self.method = method
        self.alpha = alpha
        self.trim = trim
        self.n_bootstrap = n_bootstrap
        self.seed = seed

    def fit(
        self,
        data: Any,
        treatment: str,
        outcome: str,
        confounders: Sequence[str],
        categorical: Sequence[str] = (),
    ) -> CausalEffect:
        """Estimate the effect; sets `result_`, `estimate_` and `ci_`."""
        self.result_ = estimate_effect(
            data,
            treatment,
            outcome,
            confounders,
            self.estimand,
            self.method,
            categorical=categorical,
            alpha=self.alpha,
            trim=self.trim,
            n_bootstrap=self.n_bootstrap,
            seed=self.seed,
        )
        self.estimate_ = self.result_.estimate
        self.ci_ = (self.result_.ci_low, self.result_.ci_high)
        return self

    def summary(self) -> Any:
        """The fitted result's summary table."""
        return self.result_.summary()


def estimate_effect(
    data: Any,
    treatment: str,
    outcome: str,
    confounders: Sequence[str],
    estimand: Estimand = "ATT",
    method: Method = "aipw",
    *,
    categorical: Sequence[str] = (),
    outcome_type: OutcomeType = "auto",
    alpha: float = 0.05,
    trim: TrimRule = None,
    n_bootstrap: int = 0,
    n_neighbors: int = 1,
    seed: int | None = None,
) -> CausalEstimate:
    """The average effect of `treatment` (0/1) on `outcome`, adjusted for `confounders`.

    Methods (e = propensity from a logistic regression on the confounders):

    - ``ipw``: Hajek (normalised) inverse-probability weighting; ATE weights 1/e for treated
      and 1/(1-e) for controls, ATT weights 1 for treated and e/(1-e) for controls. Standard
      error: M-estimation sandwich stacking the propensity score equations, so it accounts
      for estimating e (`interval_method` "sandwich").
    - ``aipw``: augmented IPW (doubly robust), with outcome regressions fitted per arm (linear
      for a continuous outcome, logistic for a 0/1 one) and the IPW terms normalised as
      above. Standard error: the sample variance of the efficient influence function (ATE or
      ATT version), treating the fitted models as known, the usual AIPW practice
      ("influence function").
    - ``matching``: nearest-neighbour matching on the logit propensity, `n_neighbors` per
      unit, with replacement. Standard error: Abadie & Imbens (2006) for the population
      effect, conditional variances from the 2 nearest same-group units, treating the
      propensity as known ("abadie_imbens"); Abadie & Imbens (2016) show this is
      conservative for the ATE. (The bootstrap is not valid for matching with replacement,
      Abadie & Imbens 2008.)

    With `n_bootstrap` > 0 the interval is instead the percentile interval of that many
    row-resampled re-estimates (propensity, trimming and outcome models all refitted;
    seeded by `seed`) and `std_error` their standard deviation.

    Trimming (`trim`): None keeps all rows; ``"crump"`` keeps alpha <= e <= 1 - alpha with
    the variance-optimal alpha of Crump, Hotz, Imbens & Mitnik (2009); a float a keeps
    a <= e <= 1 - a (0.1 is their rule of thumb); a pair (low, high) keeps low <= e <= high.
    After trimming the propensity is refitted on the kept rows, and the estimate refers to
    them.

    `categorical` names numeric columns to one-hot encode (non-numeric columns always are);
    a 0/1 outcome is binary unless `outcome_type` says otherwise.

    Raises ValueError for bad input only (a missing column, missing values, a treatment that
    is not 0/1, an unknown option); a degenerate sample gives a result whose `reason` says
    why there is no estimate.
    """
    _check_options(estimand, method, alpha, n_bootstrap, n_neighbors)
    _trim_bounds(np.full(1, 0.5), trim)  # validates the rule before any fitting
    columns = _columns(data, [treatment, outcome, *confounders])
    a = _treatment(columns[treatment], treatment)
    y = _numeric(columns[outcome], outcome)
    design = _design(columns, list(confounders), set(categorical))
    kind = _outcome_kind(y, outcome_type, outcome)
    spec = _Spec(estimand, method, kind, trim, n_neighbors)
    # Many small tall-and-skinny fits: BLAS threads only add overhead, and on a busy machine
    # they stall each other (10x slower on 2 shared cores).
    with _blas_controller().limit(limits=1, user_api="blas"):
        return _analyse(a, y, design, spec, alpha, n_bootstrap, seed)


def _analyse(
    a: np.ndarray,
    y: np.ndarray,
    design: _Design,
    spec: _Spec,
    alpha: float,
    n_bootstrap: int,
    seed: int | None,
) -> CausalEstimate:
    naive, naive_ci = _naive(a, y, alpha)
    blank = CausalEstimate(
        estimand=spec.estimand,
        method=spec.method,
        outcome_type=spec.outcome_type,
        alpha=alpha,
        estimate=None,
        std_error=None,
        ci_low=None,
        ci_high=None,
        interval_method=None,
        naive=naive,
        naive_ci=naive_ci,
        n_treated=int(a.sum()),
        n_control=int(len(a) - a.sum()),
        overlap=None,
        balance=(),
    )
    early = _sample_problem(a, y)
    if early is not None:
        return replace(blank, reason=early)
    fitted = _estimate(a, y, design, spec)
    if isinstance(fitted, Unavailable):
        return replace(blank, reason=fitted)
    notes = list(fitted.warnings)
    if n_bootstrap > 0:
        estimates = _bootstrap(a, y, design, spec, n_bootstrap, seed)
        se, low, high, interval = _percentile_interval(estimates, alpha)
        if len(estimates) < n_bootstrap:
            notes.append(
                f"{n_bootstrap - len(estimates)} of {n_bootstrap} bootstrap resamples gave no "
                "estimate and were left out"
            )
        if interval is None:
            notes.append("too few bootstrap resamples gave an estimate for an interval")
        if spec.method == "matching":
            notes.append("the bootstrap is not valid for matching with replacement")
    else:
        z = float(norm.ppf(1 - alpha / 2))
        se, interval = fitted.std_error, fitted.interval_method
        low, high = fitted.estimate - z * se, fitted.estimate + z * se
    return replace(
        blank,
        estimate=fitted.estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        interval_method=interval,
        n_treated=fitted.n_treated,
        n_control=fitted.n_control,
        overlap=fitted.overlap,
        balance=_balance(design, a, fitted),
        warnings=tuple(notes),
        treated_mean=float(y[fitted.kept & (a == 1)].mean()),
    )


@cache
def _blas_controller() -> ThreadpoolController:
    """Inspecting the loaded BLAS libraries is slow, so it is done once."""
    return ThreadpoolController()


# --- input -------------------------------------------------------------------------------


def _check_options(
    estimand: str, method: str, alpha: float, n_bootstrap: int, n_neighbors: int
) -> None:
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand: '{estimand}' is not one of {', '.join(ESTIMANDS)}")
    if method not in METHODS:
        raise ValueError(f"method: '{method}' is not one of {', '.join(METHODS)}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: {alpha} is not between 0 and 1")
    if n_bootstrap < 0 or n_neighbors < 1:
        raise ValueError("n_bootstrap must be >= 0 and n_neighbors >= 1")


def _columns(data: Any, names: list[str]) -> dict[str, np.ndarray]:
    if not isinstance(data, Mapping) and not hasattr(data, "columns"):
        raise ValueError("data must be a pandas DataFrame or a mapping of column name -> array")
    seen: set[str] = set()
    out: dict[str, np.ndarray] = {}
    length: int | None = None
    for name in names:
        if name in seen:
            raise ValueError(f"column '{name}' is given twice (treatment, outcome, confounders)")
        seen.add(name)
        if name not in data:
            raise ValueError(f"column '{name}' is not in the data")
        values = np.asarray(data[name])
        if values.ndim != 1:
            raise ValueError(f"column '{name}' is not one-dimensional")
        if length is not None and len(values) != length:
            raise ValueError(f"column '{name}' has {len(values)} rows, not {length}")
        length = len(values)
        out[name] = values
    return out


def _is_numeric(values: np.ndarray) -> bool:
    return values.dtype.kind in "biuf"


def _numeric(values: np.ndarray, name: str) -> np.ndarray:
    if not _is_numeric(values):
        raise ValueError(f"column '{name}' is not numeric")
    out = values.astype(float)
    missing = int(np.isnan(out).sum())
    if missing:
        raise ValueError(f"column '{name}' has {missing} missing values")
    return out


def _treatment(values: np.ndarray, name: str) -> np.ndarray:
    a = _numeric(values, name)
    if not np.isin(a, (0.0, 1.0)).all():
        raise ValueError(f"treatment column '{name}' must hold only 0/1 (or booleans)")
    return a


def _outcome_kind(y: np.ndarray, outcome_type: str, name: str) -> str:
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    if outcome_type == "auto":
        return "binary" if binary else "continuous"
    if outcome_type == "binary" and not binary:
        raise ValueError(f"outcome column '{name}' is not 0/1, so it cannot be binary")
    if outcome_type not in ("binary", "continuous"):
        raise ValueError(f"outcome_type: '{outcome_type}' is not auto, binary or continuous")
    return outcome_type


@dataclass(frozen=True)
class _Design:
    """The model matrix (intercept, standardised numeric columns, level dummies but the
    first) and the covariate columns balance is reported on (every level)."""

    matrix: np.ndarray
    raw: np.ndarray
    names: tuple[str, ...]

    def take(self, rows: np.ndarray) -> _Design:
        return _Design(self.matrix[rows], self.raw[rows], self.names)


def _design(
    columns: dict[str, np.ndarray], confounders: list[str], categorical: set[str]
) -> _Design:
    unknown = categorical - set(confounders)
    if unknown:
        raise ValueError(f"categorical column '{sorted(unknown)[0]}' is not a confounder")
    n = len(next(iter(columns.values())))
    model = [np.ones(n)]
    raw: list[np.ndarray] = []
    names: list[str] = []
    for name in confounders:
        values = columns[name]
        if _is_numeric(values) and values.dtype.kind != "b" and name not in categorical:
            x = _numeric(values, name)
            if len(x) and np.ptp(x) > 0:
                model.append((x - x.mean()) / x.std())
                raw.append(x)
                names.append(name)
            continue
        labels = _labels(values, name)
        levels = sorted(set(labels))
        for index, level in enumerate(levels):
            dummy = (labels == level).astype(float)
            raw.append(dummy)
            names.append(f"{name}={level}")
            if index > 0:
                model.append(dummy)
    raw_matrix = np.column_stack(raw) if raw else np.zeros((n, 0))
    return _Design(np.column_stack(model), raw_matrix, tuple(names))


def _labels(values: np.ndarray, name: str) -> np.ndarray:
    texts = []
    for value in values.tolist():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            raise ValueError(f"column '{name}' has missing values")
        texts.append(str(value))
    return np.array(texts, dtype=object)


# --- options and the degenerate cases ----------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    estimand: str
    method: str
    outcome_type: str
    trim: TrimRule
    n_neighbors: int


def _sample_problem(a: np.ndarray, y: np.ndarray) -> Unavailable | None:
    n_treated = int(a.sum())
    n_control = len(a) - n_treated
    if len(a) == 0:
        return Unavailable("no_data", "There are no rows, so there is no effect to estimate.")
    if n_treated == 0:
        return Unavailable(
            "no_treated",
            "The treatment is constant: no row is treated, so there is nobody to compare.",
        )
    if n_control == 0:
        return Unavailable(
            "no_control",
            "The treatment is constant: every row is treated, so there is no control group.",
        )
    if min(n_treated, n_control) < MIN_PER_GROUP:
        return Unavailable(
            "too_few",
            f"Only {n_treated} treated and {n_control} control rows; at least "
            f"{MIN_PER_GROUP} of each are needed for an estimate with an interval.",
        )
    if np.ptp(y) == 0:
        return Unavailable(
            "constant_outcome",
            f"The outcome is {y[0]:g} for every row, so it has no variation to attribute "
            "to the treatment.",
        )
    return None


def _naive(a: np.ndarray, y: np.ndarray, alpha: float) -> tuple[float | None, Any]:
    treated, control = y[a == 1], y[a == 0]
    if len(treated) == 0 or len(control) == 0:
        return None, None
    diff = float(treated.mean() - control.mean())
    if min(len(treated), len(control)) < 2:
        return diff, None
    se = math.sqrt(treated.var(ddof=1) / len(treated) + control.var(ddof=1) / len(control))
    z = float(norm.ppf(1 - alpha / 2))
    return diff, (diff - z * se, diff + z * se)


# --- estimation --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Fitted:
    estimate: float
    std_error: float
    interval_method: str
    kept: np.ndarray  # boolean mask of analysed rows
    weights: np.ndarray  # per analysed row, for balance and ESS
    n_treated: int
    n_control: int
    overlap: Overlap
    warnings: tuple[str, ...]


def _estimate(a: np.ndarray, y: np.ndarray, design: _Design, spec: _Spec) -> _Fitted | Unavailable:
    """Propensity, trimming and refit, then the chosen estimator on the kept rows."""
    linear = _propensity(design.matrix, a)
    if isinstance(linear, Unavailable):
        return linear
    e_all = expit(linear)
    bounds, rule = _trim_bounds(e_all, spec.trim)
    kept = np.ones(len(a), dtype=bool)
    if bounds is not None:
        kept = (e_all >= bounds[0]) & (e_all <= bounds[1])
    a_all = a
    a, y, x = a[kept], y[kept], design.matrix[kept]
    problem = _kept_problem(a, y, rule)
    if problem is not None:
        return problem
    if not kept.all():
        linear = _propensity(x, a)  # Crump et al. re-estimate on the trimmed sample
        if isinstance(linear, Unavailable):
            return linear
    if spec.method != "matching":
        problem = _positivity(linear, spec.estimand)
        if problem is not None:
            return problem
    notes: list[str] = []
    if spec.method == "ipw":
        estimate, influence, weights = _ipw(a, y, x, linear, spec.estimand)
        se, how = _se(influence), "sandwich"
    elif spec.method == "aipw":
        estimate, influence, weights, notes = _aipw(a, y, x, linear, spec)
        se, how = _se(influence), "influence function"
    else:
        estimate, se, weights = _matching(a, y, linear, spec)
        how = "abadie_imbens"
    overlap = _overlap(a_all, e_all, kept, weights, rule, bounds)
    return _Fitted(
        estimate=float(estimate),
        std_error=float(se),
        interval_method=how,
        kept=kept,
        weights=weights,
        n_treated=int(a.sum()),
        n_control=int(len(a) - a.sum()),
        overlap=overlap,
        warnings=tuple(notes + _overlap_notes(overlap, a)),
    )


def _kept_problem(a: np.ndarray, y: np.ndarray, rule: str) -> Unavailable | None:
    n_treated, n_control = int(a.sum()), int(len(a) - a.sum())
    if min(n_treated, n_control) < MIN_PER_GROUP:
        return Unavailable(
            "no_overlap_after_trimming",
            f"Trimming ({rule}) left {n_treated} treated and {n_control} control rows; at "
            f"least {MIN_PER_GROUP} of each are needed.",
        )
    if np.ptp(y) == 0:
        return Unavailable(
            "constant_outcome", f"After trimming ({rule}), every row kept has outcome {y[0]:g}."
        )
    return None


def _logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, bool]:
    """Unpenalised logistic regression (statsmodels GLM): coefficients, separation seen."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = GLM(y, x, family=Binomial()).fit()
    separated = any(
        issubclass(w.category, (PerfectSeparationWarning, ConvergenceWarning)) for w in caught
    )
    return np.asarray(result.params, dtype=float), separated


def _propensity(x: np.ndarray, a: np.ndarray) -> np.ndarray | Unavailable:
    """The linear predictor logit(e) of the propensity model, or complete separation."""
    coef, _ = _logistic(x, a)
    linear = x @ coef
    if linear[a == 0].max() < linear[a == 1].min():
        return Unavailable(
            "perfect_separation",
            "The confounders perfectly separate treated from control rows (every treated row "
            "has a higher propensity than every control), so no row has a comparable "
            "counterpart and no adjusted effect can be estimated.",
        )
    return linear


def _positivity(linear: np.ndarray, estimand: str) -> Unavailable | None:
    """Rows whose propensity is numerically 0 or 1 where it matters: there the data hold no
    comparable rows of the other group, so the effect is not identified (and weights blow up).
    For the ATT only propensities near 1 matter (treated rows without comparable controls,
    controls with unbounded weights)."""
    e = expit(linear)
    bad = e > 1 - POSITIVITY_EPS
    if estimand == "ATE":
        bad |= e < POSITIVITY_EPS
    count = int(bad.sum())
    if count == 0:
        return None
    return Unavailable(
        "positivity_violation",
        f"{count} rows have propensities within {POSITIVITY_EPS:g} of 0 or 1: some confounder "
        "values occur in one group only, so the effect there cannot be estimated from the data "
        "and weights are unbounded; trim (trim='crump' or bounds), or merge or drop those "
        "confounder values.",
    )


def _crump_alpha(e: np.ndarray) -> float:
    """Crump et al. (2009) optimal trimming threshold; 0 when no trimming is optimal."""
    g = np.sort(1.0 / (e * (1.0 - e)))
    if g[-1] <= 2 * g.mean():
        return 0.0
    # gamma solves gamma = 2 E[g | g <= gamma]; E[g | g <= gamma] is a step function of gamma
    candidates = 2 * np.cumsum(g) / np.arange(1, len(g) + 1)
    upper = np.append(g[1:], np.inf)
    hit = np.flatnonzero((g <= candidates) & (candidates < upper))
    gamma = float(candidates[hit[0]]) if len(hit) else float(g[-1])
    return 0.5 - math.sqrt(max(0.25 - 1.0 / gamma, 0.0))


def _trim_bounds(e: np.ndarray, trim: TrimRule) -> tuple[tuple[float, float] | None, str]:
    if trim is None:
        return None, "none"
    if isinstance(trim, str):
        if trim != "crump":
            raise ValueError(f"trim: '{trim}' is not 'crump', a number or a (low, high) pair")
        alpha = _crump_alpha(e)
        rule = f"Crump et al. (2009) optimal, alpha = {alpha:.4f}"
        return ((alpha, 1 - alpha) if alpha > 0 else None), rule
    if isinstance(trim, int | float):
        if not 0 <= trim < 0.5:
            raise ValueError(f"trim: {trim} is not in [0, 0.5)")
        return (float(trim), 1 - float(trim)), f"fixed: keep {trim:g} <= e <= {1 - trim:g}"
    low, high = (float(v) for v in trim)
    if not 0 <= low < high <= 1:
        raise ValueError(f"trim: ({low}, {high}) is not 0 <= low < high <= 1")
    return (low, high), f"fixed: keep {low:g} <= e <= {high:g}"


def _ipw(
    a: np.ndarray, y: np.ndarray, x: np.ndarray, linear: np.ndarray, estimand: str
) -> tuple[float, np.ndarray, np.ndarray]:
    """Hajek IPW and its influence values from the stacked estimating equations
    (propensity score equations, then the two weighted means)."""
    e, odds = expit(linear), np.exp(linear)
    if estimand == "ATE":
        w1, w0 = a / e, (1 - a) / (1 - e)
        dw1, dw0 = -a / odds, (1 - a) * odds  # d w / d linear predictor
    else:
        w1, w0 = a.copy(), (1 - a) * odds
        dw1, dw0 = np.zeros_like(a), (1 - a) * odds
    mu1, mu0 = (w1 * y).sum() / w1.sum(), (w0 * y).sum() / w0.sum()
    n, p = x.shape
    psi = np.column_stack([x * (a - e)[:, None], w1 * (y - mu1), w0 * (y - mu0)])
    jacobian = np.zeros((p + 2, p + 2))
    jacobian[:p, :p] = -(x.T * (e * (1 - e))) @ x / n
    jacobian[p, :p] = ((y - mu1) * dw1) @ x / n
    jacobian[p, p] = -w1.mean()
    jacobian[p + 1, :p] = ((y - mu0) * dw0) @ x / n
    jacobian[p + 1, p + 1] = -w0.mean()
    influence = -psi @ np.linalg.pinv(jacobian).T
    return float(mu1 - mu0), influence[:, p] - influence[:, p + 1], w1 + w0


def _aipw(
    a: np.ndarray, y: np.ndarray, x: np.ndarray, linear: np.ndarray, spec: _Spec
) -> tuple[float, np.ndarray, np.ndarray, list[str]]:
    """Doubly robust (normalised AIPW) estimate and its efficient influence values."""
    notes: list[str] = []
    treated = a == 1
    m0 = _outcome_fit(x[~treated], y[~treated], x, spec.outcome_type, "control", notes)
    if spec.estimand == "ATT":
        w0 = (1 - a) * np.exp(linear)
        residual0 = y - m0
        lifted = (residual0 * a).sum() / a.sum()
        baseline = (w0 * residual0).sum() / w0.sum()
        influence = a * (residual0 - lifted) / a.mean() - w0 * (residual0 - baseline) / w0.mean()
        return float(lifted - baseline), influence, a + w0, notes
    m1 = _outcome_fit(x[treated], y[treated], x, spec.outcome_type, "treated", notes)
    e = expit(linear)
    w1, w0 = a / e, (1 - a) / (1 - e)
    contrast = m1 - m0
    r1 = (w1 * (y - m1)).sum() / w1.sum()
    r0 = (w0 * (y - m0)).sum() / w0.sum()
    influence = (
        (contrast - contrast.mean())
        + w1 * (y - m1 - r1) / w1.mean()
        - w0 * (y - m0 - r0) / w0.mean()
    )
    return float(contrast.mean() + r1 - r0), influence, w1 + w0, notes


def _outcome_fit(
    x_arm: np.ndarray,
    y_arm: np.ndarray,
    x_all: np.ndarray,
    outcome_type: str,
    arm: str,
    notes: list[str],
) -> np.ndarray:
    """Predicted outcome for every row from a regression fitted on one arm."""
    if np.ptp(y_arm) == 0:
        return np.full(len(x_all), float(y_arm[0]))
    if outcome_type == "continuous":
        coef = np.linalg.lstsq(x_arm, y_arm, rcond=None)[0]
        return x_all @ coef
    coef, separated = _logistic(x_arm, y_arm)
    if separated:
        notes.append(f"the {arm} outcome model (logistic) did not converge or separated")
    return expit(x_all @ coef)


def _se(influence: np.ndarray) -> float:
    return float(np.sqrt((influence**2).sum()) / len(influence))


# --- matching ----------------------------------------------------------------------------


def _nearest(
    query: np.ndarray, pool: np.ndarray, k: int, self_rows: np.ndarray | None = None
) -> np.ndarray:
    """Indices into `pool` of the k nearest values to each `query` value (1-D, with
    replacement); `self_rows[i]` is query i's own index in `pool`, which is skipped."""
    order = np.argsort(pool, kind="stable")
    ordered = pool[order]
    width = k + (1 if self_rows is not None else 0)
    start = np.searchsorted(ordered, query)
    offsets = np.arange(-width, width)
    candidate = start[:, None] + offsets[None, :]
    valid = (candidate >= 0) & (candidate < len(pool))
    clipped = np.clip(candidate, 0, len(pool) - 1)
    distance = np.where(valid, np.abs(ordered[clipped] - query[:, None]), np.inf)
    if self_rows is not None:
        distance = np.where(order[clipped] == self_rows[:, None], np.inf, distance)
    pick = np.argsort(distance, axis=1, kind="stable")[:, :k]
    return order[np.take_along_axis(clipped, pick, axis=1)]


def _matching(
    a: np.ndarray, y: np.ndarray, linear: np.ndarray, spec: _Spec
) -> tuple[float, float, np.ndarray]:
    """Nearest-neighbour matching on the logit propensity; Abadie-Imbens (2006) variance."""
    treated, control = np.flatnonzero(a == 1), np.flatnonzero(a == 0)
    m = min(spec.n_neighbors, len(treated), len(control))
    used = np.zeros(len(a))  # K_M(i): how often row i serves as a match
    y0 = y.copy()
    y1 = y.copy()
    matched_controls = control[_nearest(linear[treated], linear[control], m)]
    y0[treated] = y[matched_controls].mean(axis=1)
    np.add.at(used, matched_controls.ravel(), 1.0)
    if spec.estimand == "ATE":
        matched_treated = treated[_nearest(linear[control], linear[treated], m)]
        y1[control] = y[matched_treated].mean(axis=1)
        np.add.at(used, matched_treated.ravel(), 1.0)
    variance = _conditional_variance(a, y, linear)
    k = used / m
    if spec.estimand == "ATT":
        effect = y[treated] - y0[treated]
        estimate = effect.mean()
        spread = ((effect - estimate) ** 2).sum()
        extra = (used * (used - 1) / m**2 * variance)[control].sum()
        se = math.sqrt((spread + extra) / len(treated) ** 2)
        weights = np.where(a == 1, 1.0, k)
    else:
        effect = y1 - y0
        estimate = effect.mean()
        spread = ((effect - estimate) ** 2).sum()
        extra = ((k**2 + (2 * m - 1) / m * k) * variance).sum()
        se = math.sqrt((spread + extra) / len(a) ** 2)
        weights = 1.0 + k
    return float(estimate), se, weights


def _conditional_variance(a: np.ndarray, y: np.ndarray, linear: np.ndarray) -> np.ndarray:
    """sigma^2(x_i, a_i) from the J nearest rows of the same group (Abadie-Imbens 2006)."""
    variance = np.zeros(len(a))
    for group in (0.0, 1.0):
        rows = np.flatnonzero(a == group)
        j = min(VARIANCE_NEIGHBOURS, len(rows) - 1)
        if j < 1:
            continue
        near = rows[_nearest(linear[rows], linear[rows], j, np.arange(len(rows)))]
        variance[rows] = j / (j + 1) * (y[rows] - y[near].mean(axis=1)) ** 2
    return variance


# --- diagnostics -------------------------------------------------------------------------


def _ess(weights: np.ndarray) -> float | None:
    total = weights.sum()
    return float(total**2 / (weights**2).sum()) if total > 0 else None


def _overlap(
    a: np.ndarray,
    e_all: np.ndarray,
    kept: np.ndarray,
    weights: np.ndarray,
    rule: str,
    bounds: tuple[float, float] | None,
) -> Overlap:
    treated, control = e_all[a == 1], e_all[a == 0]
    extreme = (e_all < EXTREME_PROPENSITY) | (e_all > 1 - EXTREME_PROPENSITY)
    a_kept = a[kept]
    return Overlap(
        propensity_treated=(float(treated.min()), float(treated.max())),
        propensity_control=(float(control.min()), float(control.max())),
        extreme_share=float(extreme.mean()),
        ess_treated=_ess(weights[a_kept == 1]),
        ess_control=_ess(weights[a_kept == 0]),
        trim_rule=rule,
        trim_bounds=bounds,
        trimmed_treated=int(((a == 1) & ~kept).sum()),
        trimmed_control=int(((a == 0) & ~kept).sum()),
        trimmed_share=float(1 - kept.mean()),
    )


def _overlap_notes(overlap: Overlap, a_kept: np.ndarray) -> list[str]:
    notes = []
    n_treated = int(a_kept.sum())
    for label, ess, n in (
        ("treated", overlap.ess_treated, n_treated),
        ("control", overlap.ess_control, len(a_kept) - n_treated),
    ):
        if ess is not None and ess < LOW_ESS_SHARE * n:
            notes.append(
                f"the {label} group's effective sample size is {ess:.0f} of {n} rows: a few "
                "heavily weighted rows drive the estimate (poor overlap)"
            )
    if overlap.extreme_share > 0 and overlap.trim_bounds is None:
        notes.append(
            f"{100 * overlap.extreme_share:.1f}% of rows have propensities below "
            f"{EXTREME_PROPENSITY} or above {1 - EXTREME_PROPENSITY} and were not trimmed"
        )
    return notes


def _balance(design: _Design, a: np.ndarray, fitted: _Fitted) -> tuple[Balance, ...]:
    raw, kept = design.raw, fitted.kept
    treated, control = raw[a == 1], raw[a == 0]
    pooled = np.sqrt((treated.var(axis=0) + control.var(axis=0)) / 2)
    before = treated.mean(axis=0) - control.mean(axis=0)
    a_kept, raw_kept, w = a[kept], raw[kept], fitted.weights
    after = np.average(raw_kept[a_kept == 1], axis=0, weights=w[a_kept == 1]) - np.average(
        raw_kept[a_kept == 0], axis=0, weights=w[a_kept == 0]
    )
    out = []
    for index, name in enumerate(design.names):
        if pooled[index] == 0:
            continue
        out.append(
            Balance(name, float(before[index] / pooled[index]), float(after[index] / pooled[index]))
        )
    return tuple(out)


# --- bootstrap ---------------------------------------------------------------------------


def _bootstrap(
    a: np.ndarray, y: np.ndarray, design: _Design, spec: _Spec, n_bootstrap: int, seed: int | None
) -> np.ndarray:
    """Re-estimates on row-resampled data (resamples without an estimate are left out)."""
    rng = np.random.default_rng(seed)
    estimates = []
    for _ in range(n_bootstrap):
        rows = rng.integers(0, len(a), len(a))
        if _sample_problem(a[rows], y[rows]) is not None:
            continue
        fitted = _estimate(a[rows], y[rows], design.take(rows), spec)
        if not isinstance(fitted, Unavailable):
            estimates.append(fitted.estimate)
    return np.array(estimates)


def _percentile_interval(
    estimates: np.ndarray, alpha: float
) -> tuple[float | None, float | None, float | None, str | None]:
    """(sd, low, high, interval_method) of bootstrap estimates; all None below two."""
    if len(estimates) < 2:
        return None, None, None, None
    low, high = np.quantile(estimates, [alpha / 2, 1 - alpha / 2])
    label = f"bootstrap percentile ({len(estimates)} resamples)"
    return float(estimates.std(ddof=1)), float(low), float(high), label
