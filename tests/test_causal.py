"""stats.causal against published results (NHEFS, NSW/CPS), statsmodels, brute force and
simulations with a known effect; degenerate inputs give a reason, bad inputs a ValueError."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy.special import expit

from pqlengine.stats.causal import (
    CausalEffect,
    CausalEstimate,
    Estimand,
    Method,
    _crump_alpha,
    estimate_effect,
)
from pqlengine.stats.sensitivity import (
    att_risk_ratio,
    e_value,
    e_value_of_interval,
    holm,
    wald_p_value,
)

# Hernan & Robins, "Causal Inference: What If" (2020), chapter 12, Program 12.2 and 12.3:
# the IP-weighted effect of quitting smoking on weight gain, 3.44 kg (95% CI 2.41 to 4.47)
# with nonstabilised or stabilised weights, on the 1,566 participants with wt82 measured.
BOOK_IPW = 3.44
BOOK_IPW_CI = (2.41, 4.47)
# Chapter 13, Program 13.2 and 13.3: standardisation (parametric g-formula) gives 3.5 kg.
BOOK_STANDARDISED = 3.5
NHEFS_CONFOUNDERS = [
    "sex",
    "race",
    "age",
    "age_sq",
    "education",
    "smokeintensity",
    "smokeintensity_sq",
    "smokeyrs",
    "smokeyrs_sq",
    "exercise",
    "active",
    "wt71",
    "wt71_sq",
]
NHEFS_CATEGORICAL = ["education", "exercise", "active"]
NHEFS_FORMULA = (
    "sex + race + age + I(age**2) + C(education) + smokeintensity + I(smokeintensity**2) "
    "+ smokeyrs + I(smokeyrs**2) + C(exercise) + C(active) + wt71 + I(wt71**2)"
)
# Dehejia & Wahba (1999), NSW experimental sample: treated minus randomised controls in 1978
# earnings, $1,794; against CPS controls the naive difference is -$8,498 (their Table 3).
NSW_EXPERIMENTAL = 1794.34
NSW_CPS_NAIVE = -8498.0
NSW_CONFOUNDERS = ["age", "age_sq", "educ", "educ_sq", "black", "hisp", "marr", "nodegree"]
NSW_CONFOUNDERS += ["re74", "re75", "u74", "u75"]


@pytest.fixture(scope="module")
def nhefs() -> pd.DataFrame:
    from causaldata import nhefs_complete

    data = nhefs_complete.load_pandas().data.copy()
    for name in ("age", "smokeintensity", "smokeyrs", "wt71"):
        data[f"{name}_sq"] = data[name] ** 2
    return data


@pytest.fixture(scope="module")
def nsw_cps() -> pd.DataFrame:
    """NSW treated (185) against the 15,992 CPS controls: the classic poor-overlap case."""
    from causaldata import cps_mixtape, nsw_mixtape

    nsw = nsw_mixtape.load_pandas().data
    data = pd.concat([nsw[nsw.treat == 1], cps_mixtape.load_pandas().data], ignore_index=True)
    data["age_sq"] = data.age**2
    data["educ_sq"] = data.educ**2
    data["u74"] = (data.re74 == 0).astype(int)
    data["u75"] = (data.re75 == 0).astype(int)
    return data


def _effect(
    data: Any,
    treatment: str,
    outcome: str,
    confounders: list[str],
    estimand: str = "ATT",
    method: str = "aipw",
    **options: Any,
) -> CausalEstimate:
    """estimate_effect with estimand and method as plain strings (parametrised tests)."""
    return estimate_effect(
        data,
        treatment,
        outcome,
        confounders,
        cast(Estimand, estimand),
        cast(Method, method),
        **options,
    )


def _interval(result: CausalEstimate) -> tuple[float, float]:
    assert result.ci_low is not None and result.ci_high is not None, result.reason
    return result.ci_low, result.ci_high


def _nhefs_effect(data: pd.DataFrame, estimand: str, method: str, **options: Any) -> CausalEstimate:
    return _effect(
        data,
        "qsmk",
        "wt82_71",
        NHEFS_CONFOUNDERS,
        estimand,
        method,
        categorical=NHEFS_CATEGORICAL,
        **options,
    )


# --- NHEFS: Hernan & Robins ----------------------------------------------------------------


def test_ipw_ate_reproduces_hernan_robins_chapter_12(nhefs: pd.DataFrame) -> None:
    result = _nhefs_effect(nhefs, "ATE", "ipw")
    assert len(nhefs) == 1566
    assert result.estimate == pytest.approx(BOOK_IPW, abs=0.005)
    # The book's interval uses the GEE robust SE, which ignores that the weights were
    # estimated and is conservative (Technical Point 12.2); the stacked sandwich accounts for
    # it, so its interval is a little narrower and lies inside the book's.
    assert result.interval_method == "sandwich"
    assert result.ci_low == pytest.approx(BOOK_IPW_CI[0], abs=0.1)
    assert result.ci_high == pytest.approx(BOOK_IPW_CI[1], abs=0.1)
    low, high = _interval(result)
    assert BOOK_IPW_CI[0] < low < high < BOOK_IPW_CI[1]
    assert result.naive == pytest.approx(2.54, abs=0.005)  # the book's unadjusted 2.5 kg
    assert (result.n_treated, result.n_control) == (403, 1163)


def test_ipw_matches_statsmodels_weighted_regression_and_book_gee(nhefs: pd.DataFrame) -> None:
    """Hand-computed: statsmodels logistic propensity, then a weighted regression of the
    outcome on treatment; its GEE robust interval is the book's 2.41-4.47."""
    propensity = smf.glm(f"qsmk ~ {NHEFS_FORMULA}", data=nhefs, family=sm.families.Binomial()).fit()
    e = propensity.predict(nhefs)
    weights = np.where(nhefs.qsmk == 1, 1 / e, 1 / (1 - e))
    weighted = smf.wls("wt82_71 ~ qsmk", data=nhefs, weights=weights).fit()
    ours = _nhefs_effect(nhefs, "ATE", "ipw")
    assert ours.estimate == pytest.approx(weighted.params["qsmk"], rel=1e-7)
    gee = smf.gee("wt82_71 ~ qsmk", groups=nhefs.seqn, data=nhefs, weights=weights).fit()
    low, high = gee.conf_int().loc["qsmk"]
    assert (low, high) == pytest.approx(BOOK_IPW_CI, abs=0.005)
    # ATT: controls weighted by the odds e / (1 - e)
    att_weights = np.where(nhefs.qsmk == 1, 1.0, e / (1 - e))
    att = smf.wls("wt82_71 ~ qsmk", data=nhefs, weights=att_weights).fit()
    assert _nhefs_effect(nhefs, "ATT", "ipw").estimate == pytest.approx(
        att.params["qsmk"], rel=1e-7
    )


def _numerical_sandwich_se(
    x: np.ndarray, a: np.ndarray, y: np.ndarray, estimand: str, theta: np.ndarray
) -> float:
    """SE of mu1 - mu0 from the stacked estimating equations with a finite-difference
    Jacobian (an independent, slow reference for the analytic sandwich)."""

    def psi(t: np.ndarray) -> np.ndarray:
        beta, mu1, mu0 = t[:-2], t[-2], t[-1]
        e = expit(x @ beta)
        if estimand == "ATE":
            w1, w0 = a / e, (1 - a) / (1 - e)
        else:
            w1, w0 = a, (1 - a) * e / (1 - e)
        return np.column_stack([x * (a - e)[:, None], w1 * (y - mu1), w0 * (y - mu0)])

    n, k = len(a), len(theta)
    jacobian = np.zeros((k, k))
    for j in range(k):
        step = np.zeros(k)
        step[j] = 1e-6 * max(1.0, abs(theta[j]))
        jacobian[:, j] = (psi(theta + step).mean(0) - psi(theta - step).mean(0)) / (2 * step[j])
    values = psi(theta)
    inverse = np.linalg.inv(jacobian)
    covariance = inverse @ (values.T @ values / n) @ inverse.T / n
    contrast = np.zeros(k)
    contrast[-2:] = (1, -1)
    return float(np.sqrt(contrast @ covariance @ contrast))


@pytest.mark.parametrize("estimand", ["ATE", "ATT"])
def test_ipw_sandwich_matches_numerical_m_estimation(nhefs: pd.DataFrame, estimand: str) -> None:
    propensity = smf.glm(f"qsmk ~ {NHEFS_FORMULA}", data=nhefs, family=sm.families.Binomial()).fit()
    x = np.asarray(propensity.model.exog)
    a, y = nhefs.qsmk.to_numpy(float), nhefs.wt82_71.to_numpy(float)
    e = expit(x @ propensity.params.to_numpy())
    w1, w0 = (a / e, (1 - a) / (1 - e)) if estimand == "ATE" else (a, (1 - a) * e / (1 - e))
    mu1, mu0 = (w1 * y).sum() / w1.sum(), (w0 * y).sum() / w0.sum()
    theta = np.concatenate([propensity.params.to_numpy(), [mu1, mu0]])
    reference = _numerical_sandwich_se(x, a, y, estimand, theta)
    ours = _nhefs_effect(nhefs, estimand, "ipw")
    assert ours.estimate == pytest.approx(mu1 - mu0, rel=1e-7)
    assert ours.std_error == pytest.approx(reference, rel=1e-4)


def test_aipw_and_standardisation_match_chapter_13(nhefs: pd.DataFrame) -> None:
    # The book's outcome model: one linear regression with a qsmk x smokeintensity term.
    model = smf.ols(f"wt82_71 ~ qsmk + qsmk:smokeintensity + {NHEFS_FORMULA}", data=nhefs).fit()
    standardised = (
        model.predict(nhefs.assign(qsmk=1)) - model.predict(nhefs.assign(qsmk=0))
    ).mean()
    assert standardised == pytest.approx(BOOK_STANDARDISED, abs=0.05)
    # AIPW fits one linear model per arm (every confounder interacts with treatment) and
    # adds the weighted residuals, so it need not equal the book's 3.5 exactly: 0.2 kg.
    aipw = _nhefs_effect(nhefs, "ATE", "aipw")
    assert aipw.interval_method == "influence function"
    assert aipw.estimate == pytest.approx(BOOK_STANDARDISED, abs=0.2)
    low, high = _interval(aipw)
    assert low < BOOK_STANDARDISED < high
    assert aipw.estimate == pytest.approx(BOOK_IPW, abs=0.1)  # doubly robust agrees with IPW


def test_influence_function_se_agrees_with_bootstrap(nhefs: pd.DataFrame) -> None:
    analytic = _nhefs_effect(nhefs, "ATT", "aipw")
    boot = _nhefs_effect(nhefs, "ATT", "aipw", n_bootstrap=100, seed=11)
    assert boot.estimate == analytic.estimate
    assert boot.interval_method == "bootstrap percentile (100 resamples)"
    # 100 resamples estimate an SD to about 7% (the SE of a sample SD is ~ 1/sqrt(2 B));
    # 30% is more than four of those
    assert boot.std_error == pytest.approx(analytic.std_error, rel=0.3)


def test_matching_point_estimate_matches_brute_force(nhefs: pd.DataFrame) -> None:
    propensity = smf.glm(f"qsmk ~ {NHEFS_FORMULA}", data=nhefs, family=sm.families.Binomial()).fit()
    logit = np.asarray(propensity.model.exog) @ propensity.params.to_numpy()
    a, y = nhefs.qsmk.to_numpy(), nhefs.wt82_71.to_numpy()
    treated, control = np.flatnonzero(a == 1), np.flatnonzero(a == 0)
    effects = []
    for i in treated:  # slow and obvious: the closest control on the logit propensity
        nearest = min(control, key=lambda j: abs(logit[i] - logit[j]))
        effects.append(y[i] - y[nearest])
    ours = _nhefs_effect(nhefs, "ATT", "matching")
    assert ours.estimate == pytest.approx(np.mean(effects), rel=1e-9)
    assert ours.interval_method == "abadie_imbens"
    low, high = _interval(ours)
    assert low < BOOK_IPW < high
    after = {b.covariate: b.smd_after for b in ours.balance}
    assert max(abs(v) for v in after.values() if v is not None) < 0.15


def test_balance_improves_after_weighting(nhefs: pd.DataFrame) -> None:
    result = _nhefs_effect(nhefs, "ATE", "ipw")
    table = result.balance_table()
    assert "education=5" in table.index and "age" in table.index
    assert table.smd_before.abs().max() > 0.25  # age: 0.28 before
    assert table.smd_after.abs().max() < 0.05
    summary = result.summary()
    assert list(summary.index) == ["naive difference", "ATE (ipw)"]
    assert summary.loc["ATE (ipw)", "estimate"] == result.estimate


def test_estimator_shape(nhefs: pd.DataFrame) -> None:
    fitted = CausalEffect(estimand="ATE", method="ipw").fit(
        nhefs, "qsmk", "wt82_71", NHEFS_CONFOUNDERS, categorical=NHEFS_CATEGORICAL
    )
    assert fitted.estimate_ == pytest.approx(BOOK_IPW, abs=0.005)
    assert fitted.ci_ == (fitted.result_.ci_low, fitted.result_.ci_high)
    assert fitted.summary().shape[0] == 2


# --- poor overlap: NSW treated against CPS controls ----------------------------------------


def test_nsw_cps_diagnostics_report_poor_overlap(nsw_cps: pd.DataFrame) -> None:
    result = estimate_effect(nsw_cps, "treat", "re78", NSW_CONFOUNDERS, "ATT", "ipw")
    assert result.naive == pytest.approx(NSW_CPS_NAIVE, abs=1)
    overlap = result.overlap
    assert overlap is not None
    assert overlap.propensity_control[0] < 1e-5  # extreme propensities
    assert overlap.extreme_share > 0.8
    assert overlap.ess_control is not None and overlap.ess_control < 0.02 * result.n_control
    assert overlap.trim_rule == "none" and overlap.trimmed_share == 0
    assert any("effective sample size" in w for w in result.warnings)
    assert any("were not trimmed" in w for w in result.warnings)


@pytest.mark.parametrize("method", ["ipw", "aipw"])
def test_nsw_cps_crump_trimming_recovers_the_experiment(nsw_cps: pd.DataFrame, method: str) -> None:
    untrimmed = _effect(nsw_cps, "treat", "re78", NSW_CONFOUNDERS, "ATT", method)
    crump = _effect(nsw_cps, "treat", "re78", NSW_CONFOUNDERS, "ATT", method, trim="crump")
    fixed = _effect(nsw_cps, "treat", "re78", NSW_CONFOUNDERS, "ATT", method, trim=0.1)
    assert crump.overlap is not None and fixed.overlap is not None
    bounds = crump.overlap.trim_bounds
    assert bounds is not None and 0 < bounds[0] < 0.5 and bounds[1] == pytest.approx(1 - bounds[0])
    assert crump.overlap.trim_rule.startswith("Crump et al. (2009) optimal")
    assert crump.overlap.trimmed_share > 0.9  # most CPS controls look nothing like the treated
    assert crump.n_control + crump.overlap.trimmed_control == untrimmed.n_control
    assert fixed.overlap.trim_bounds == (0.1, 0.9)
    assert fixed.overlap.trimmed_share != crump.overlap.trimmed_share
    # Once overlap is enforced the adjusted estimate covers the experimental benchmark.
    low, high = _interval(crump)
    assert low < NSW_EXPERIMENTAL < high
    worst_after = max(abs(b.smd_after) for b in crump.balance if b.smd_after is not None)
    assert max(abs(b.smd_before) for b in crump.balance) > 1.0
    assert worst_after < 0.25


def test_crump_alpha_solves_its_defining_equation() -> None:
    e = expit(np.random.default_rng(5).normal(0, 2.5, 4000))
    alpha = _crump_alpha(e)
    g = 1 / (e * (1 - e))
    gamma = 1 / (alpha * (1 - alpha))
    # Crump et al. (2009), Theorem 1: 1/(a(1-a)) = 2 E[g | g <= 1/(a(1-a))]
    assert gamma == pytest.approx(2 * g[g <= gamma].mean(), rel=1e-9)
    assert _crump_alpha(expit(np.random.default_rng(5).normal(0, 0.3, 4000))) == 0.0


# --- simulations with a known effect --------------------------------------------------------


def _simulated(
    seed: int, n: int, effect: float, binary: bool
) -> tuple[dict[str, np.ndarray], float]:
    """Confounded data: x1 and x2 raise both treatment and outcome. Returns the table and
    the true ATT (sample average of the individual effects over the treated)."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.random(n) < 0.4
    region = rng.choice(np.array(["north", "south", "west"]), n)
    a = rng.random(n) < expit(-0.3 + 0.8 * x1 + 0.6 * x2 + 0.4 * (region == "south"))
    if binary:
        base = -1.0 + 0.8 * x1 + 0.5 * x2 + 0.3 * (region == "west")
        p1, p0 = expit(base + effect), expit(base)
        y = (rng.random(n) < np.where(a, p1, p0)).astype(float)
        truth = float((p1 - p0)[a].mean())
    else:
        noise = rng.normal(size=n)
        y = 1 + 2 * x1 + x2 + 0.5 * (region == "west") + effect * a + noise
        truth = effect
    return {"a": a, "y": y, "x1": x1, "x2": x2, "region": region}, truth


COMBINATIONS = [(m, e) for m in ("ipw", "aipw", "matching") for e in ("ATT", "ATE")]


@pytest.mark.parametrize("binary", [False, True], ids=["continuous", "binary"])
def test_intervals_cover_a_known_effect(binary: bool) -> None:
    """Coverage over 60 simulated data sets per estimator: a 95% interval should cover the
    truth in about 57 of 60; fewer than 52 (p < 0.01 under 95%) fails."""
    effect = 0.8 if binary else 1.5
    population_ate = _binary_ate(effect) if binary else effect
    covered = dict.fromkeys(COMBINATIONS, 0)
    for seed in range(60):
        data, truth_att = _simulated(seed, 800, effect, binary)
        for method, estimand in COMBINATIONS:
            result = _effect(data, "a", "y", ["x1", "x2", "region"], estimand, method)
            # with a binary outcome the ATE differs from the ATT: use the population value
            truth = truth_att if estimand == "ATT" else population_ate
            low, high = _interval(result)
            covered[(method, estimand)] += low <= truth <= high
    assert all(count >= 52 for count in covered.values()), covered
    assert result.outcome_type == ("binary" if binary else "continuous")


def _binary_ate(effect: float) -> float:
    data, _ = _simulated(999, 400_000, effect, True)
    base = -1.0 + 0.8 * data["x1"] + 0.5 * data["x2"] + 0.3 * (data["region"] == "west")
    return float((expit(base + effect) - expit(base)).mean())


@pytest.mark.parametrize("binary", [False, True], ids=["continuous", "binary"])
def test_null_effect_covers_zero_and_naive_does_not(binary: bool) -> None:
    data, _ = _simulated(2024, 4000, 0.0, binary)
    for method, estimand in COMBINATIONS:
        result = _effect(data, "a", "y", ["x1", "x2", "region"], estimand, method)
        low, high = _interval(result)
        assert low < 0 < high, (method, estimand, result)
        assert result.naive_ci is not None and result.naive_ci[0] > 0  # confounded


# --- degenerate and bad inputs ---------------------------------------------------------------


def _table(a: list[int], y: list[float], x: list[float] | None = None) -> dict[str, Any]:
    return {"a": np.array(a), "y": np.array(y), "x": np.array(x or [0.1 * i for i in a])}


@pytest.mark.parametrize(
    ("a", "y", "code"),
    [
        ([], [], "no_data"),
        ([0, 0, 0, 0], [1, 0, 1, 0], "no_treated"),
        ([1, 1, 1, 1], [1, 0, 1, 0], "no_control"),
        ([1, 0, 0, 0], [1, 0, 1, 0], "too_few"),
        ([1, 1, 0, 0], [1, 1, 1, 1], "constant_outcome"),
    ],
)
def test_degenerate_samples_return_a_reason(a: list[int], y: list[float], code: str) -> None:
    data = {"a": np.array(a, dtype=float), "y": np.array(y, dtype=float)}
    data["x"] = np.arange(len(a), dtype=float)
    for method in ("aipw", "ipw", "matching"):
        result = _effect(data, "a", "y", ["x"], method=method)
        assert result.reason is not None and result.reason.code == code
        assert result.estimate is None and result.ci_low is None and not result.available
        assert result.reason.message.endswith(".")


def test_perfect_separation_returns_a_reason() -> None:
    x = np.arange(40, dtype=float)
    data = {"a": (x >= 20).astype(float), "y": np.tile([0.0, 1.0], 20), "x": x}
    for method in ("aipw", "ipw", "matching"):
        result = _effect(data, "a", "y", ["x"], method=method)
        assert result.reason is not None and result.reason.code == "perfect_separation"
        assert result.estimate is None and result.naive is not None


def test_quasi_separation_refuses_weights_but_trimming_helps() -> None:
    rng = np.random.default_rng(3)
    n = 400
    only_treated = rng.random(n) < 0.1  # a category that occurs among the treated only
    x = rng.normal(size=n)
    a = (only_treated | (rng.random(n) < expit(x))).astype(float)
    data = {"a": a, "y": x + a + rng.normal(size=n), "x": x, "segment": only_treated}
    weighted = estimate_effect(data, "a", "y", ["x", "segment"], "ATE", "ipw")
    assert weighted.reason is not None and weighted.reason.code == "positivity_violation"
    trimmed = estimate_effect(data, "a", "y", ["x", "segment"], "ATE", "ipw", trim=0.05)
    assert trimmed.available and trimmed.overlap is not None
    assert trimmed.overlap.trimmed_treated >= only_treated.sum()


def test_trimming_everything_away_returns_a_reason() -> None:
    data, _ = _simulated(1, 300, 1.0, False)
    result = estimate_effect(data, "a", "y", ["x1"], trim=(0.49, 0.5))
    assert result.reason is not None and result.reason.code == "no_overlap_after_trimming"


def test_bad_input_raises_naming_the_column() -> None:
    data = _table([1, 0, 1, 0], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="column 'missing' is not in the data"):
        estimate_effect(data, "a", "y", ["missing"])
    with pytest.raises(ValueError, match="treatment column 'y' must hold only 0/1"):
        estimate_effect(data, "y", "a", ["x"])
    with pytest.raises(ValueError, match="column 'x' has 1 missing values"):
        estimate_effect({**data, "x": np.array([1.0, np.nan, 2.0, 3.0])}, "a", "y", ["x"])
    with pytest.raises(ValueError, match="method: 'magic'"):
        _effect(data, "a", "y", ["x"], method="magic")
    with pytest.raises(ValueError, match="trim"):
        estimate_effect(data, "a", "y", ["x"], trim="sometimes")


# --- sensitivity to unmeasured confounding and multiplicity ---------------------------------

# VanderWeele & Ding (2017), Ann Intern Med 167:268, worked examples (estimate, low, high) ->
# (E-value of the estimate, of the limit closest to 1), as the formula gives them (the paper
# rounds to one decimal: 20.9/15.5, 7.2/3.0, 1.81/1.43):
# smoking and lung cancer (Hammond & Holl 1958), breastfeeding and infant respiratory death
# (rare outcome, OR taken as RR), and the leukaemia example with a protective ratio.
E_VALUE_EXAMPLES = [
    ((10.73, 8.02, 14.36), (20.95, 15.52)),
    ((3.9, 1.8, 8.7), (7.26, 3.00)),
    ((0.80, 0.71, 0.91), (1.81, 1.43)),
]


@pytest.mark.parametrize(("observed", "expected"), E_VALUE_EXAMPLES)
def test_e_values_reproduce_vanderweele_ding(
    observed: tuple[float, float, float], expected: tuple[float, float]
) -> None:
    estimate, low, high = observed
    assert e_value(estimate) == pytest.approx(expected[0], abs=0.005)
    assert e_value_of_interval(low, high) == pytest.approx(expected[1], abs=0.005)
    assert e_value(1 / estimate) == pytest.approx(e_value(estimate))  # symmetric
    assert e_value(1.0) == 1.0 and e_value_of_interval(0.9, 1.2) == 1.0


def test_att_risk_ratio_maps_the_interval_through_the_same_function() -> None:
    ratio = att_risk_ratio(0.20, 0.10, 0.05, 0.15)
    assert ratio is not None
    assert (ratio.estimate, ratio.low, ratio.high) == pytest.approx((2.0, 0.2 / 0.15, 4.0))
    unbounded = att_risk_ratio(0.20, 0.10, 0.05, 0.25)
    assert unbounded is not None and unbounded.high == float("inf")
    assert att_risk_ratio(0.0, -0.01, -0.02, 0.0) is None
    with pytest.raises(ValueError, match="positive"):
        e_value(0.0)


def test_holm_matches_statsmodels() -> None:
    from statsmodels.stats.multitest import multipletests

    p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.6]
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]))
    assert holm([0.01, None, 0.04]) == pytest.approx([0.02, None, 0.04])
    assert wald_p_value(1.96, 1.0) == pytest.approx(0.05, abs=1e-4)


def test_treated_mean_is_the_analysed_treated_rows_outcome() -> None:
    data, _ = _simulated(3, 800, 0.8, True)
    result = _effect(data, "a", "y", ["x1", "x2", "region"], "ATT", "aipw")
    treated = np.asarray(data["a"]) == 1
    assert result.treated_mean == pytest.approx(float(np.asarray(data["y"])[treated].mean()))
