"""Tests of meanfield.spectra: empirical spectra and their comparison with the theory."""

import doctest
import math

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy.special import gammainc
from threadpoolctl import threadpool_limits

import meanfield as mf
from meanfield import spectra
from meanfield.ensembles import Gaussian
from meanfield.errors import ParameterError

THREADS = 1  # LAPACK on a shared 2-core machine: one thread is fastest and steady


class FakeEnsemble:
    """Samples one Gaussian ensemble but states the theory of another (to show failures).

    Implements only the documented interface; ``outliers`` takes ``n`` when
    ``outliers_take_n`` so that both call forms are exercised.
    """

    def __init__(self, sampled, theory, outliers=None, outliers_take_n=False):
        self.sampled, self.theory = sampled, theory
        self._outliers = outliers
        self.calls = []
        if outliers_take_n:
            self.outliers = self._outliers_n

    def __repr__(self):
        return f"Fake(sampled={self.sampled!r}, theory={self.theory!r})"

    def sample(self, n, seed=None, dtype=np.float64):
        return self.sampled.sample(n, seed=seed, dtype=dtype)

    @property
    def spectral_radius(self):
        return self.theory.spectral_radius

    def radial_cdf(self, r):
        return self.theory.radial_cdf(r)

    def eigenvalue_density(self, z):
        return self.theory.eigenvalue_density(z)

    def outliers(self):
        self.calls.append(None)
        return self.theory.outliers() if self._outliers is None else np.asarray(self._outliers)

    def _outliers_n(self, n):
        self.calls.append(n)
        return self.theory.outliers() if self._outliers is None else np.asarray(self._outliers)


def quarter_circle_cdf(s, g):
    s = np.minimum(s, 2 * g)
    return (0.5 * s * np.sqrt(4 * g**2 - s**2) + 2 * g**2 * np.arcsin(s / (2 * g))) / (np.pi * g**2)


# ---------------------------------------------------------------------------
# exact small cases
# ---------------------------------------------------------------------------

def test_radial_cdf_of_a_diagonal_matrix_is_exact():
    d = np.array([0.5, -1.0, 2.0, -3.0])
    ev = spectra.eigenvalues(np.diag(d))
    np.testing.assert_allclose(np.sort(ev.real), np.sort(d))
    # |z| <= r is inclusive: r = 1 counts both 0.5 and -1
    F = spectra.radial_cdf(ev, [0.0, 0.4999, 0.5, 1.0, 2.5, 3.0, 100.0])
    np.testing.assert_array_equal(F, [0, 0, 0.25, 0.5, 0.75, 1.0, 1.0])
    assert spectra.radial_cdf(ev, 1.5) == 0.5 and isinstance(spectra.radial_cdf(ev, 1.5), float)
    # one CDF per row of a 2-D input; r keeps its shape
    two = np.stack([d, 2 * d])
    out = spectra.radial_cdf(two, [[1.0], [4.0]])
    assert out.shape == (2, 2, 1)
    np.testing.assert_array_equal(out[:, :, 0], [[0.5, 1.0], [0.25, 0.75]])


def test_complex_eigenvalues_of_a_rotation():
    # [[0, -b], [b, 0]] has eigenvalues +-ib
    ev = spectra.eigenvalues(np.array([[0.0, -2.0], [2.0, 0.0]]))
    np.testing.assert_allclose(np.sort(ev.imag), [-2.0, 2.0], atol=1e-14)
    assert spectra.radial_cdf(ev, [1.99, 2.0 + 1e-12]).tolist() == [0.0, 1.0]


def test_binned_density_radial_exact():
    z = np.array([0.5, 0.5j, -1.5, 1.5 + 0j, 2.5, 10.0])       # one far outside the bins
    d = spectra.binned_density(z, bins=[0.0, 1.0, 2.0, 3.0], kind="radial")
    np.testing.assert_array_equal(d.counts, [2, 2, 1])
    area = np.pi * np.array([1.0, 3.0, 5.0])
    np.testing.assert_allclose(d.measure, area)
    p = np.array([2, 2, 1]) / 6
    np.testing.assert_allclose(d.density, p / area)
    np.testing.assert_allclose(d.stderr, np.sqrt(p * (1 - p) / 6) / area)
    # the density integrates to the fraction that fell into the bins (5 of 6)
    assert float(np.sum(d.density * d.measure)) == pytest.approx(5 / 6)
    np.testing.assert_allclose(d.centers, [0.5, 1.5, 2.5])


def test_binned_density_real_imag_and_pooling():
    vals = np.array([[1.0 + 1j, 2.0 - 1j], [3.0 + 0.5j, 1.5 + 0j]])
    re = spectra.binned_density(vals, bins=2, kind="real")           # range = (min, max) = (1, 3)
    np.testing.assert_allclose(re.edges, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(re.counts, [2, 2])                  # last bin includes its edge
    assert re.n_total == 4
    assert float(np.sum(re.density * re.measure)) == pytest.approx(1.0)
    im = spectra.binned_density(vals, bins=[-2.0, 0.0, 2.0], kind="imag")
    np.testing.assert_array_equal(im.counts, [1, 3])                  # 0 falls in [0, 2)
    sv = spectra.binned_density(spectra.singular_values(np.diag([1.0, 2.0, 3.0])), bins=3,
                                range=(0.5, 3.5), kind="real")
    np.testing.assert_array_equal(sv.counts, [1, 1, 1])


def test_expected_bin_average_of_the_uniform_disk_is_exact():
    G = Gaussian(1.5)
    d = spectra.binned_density(np.array([0.1, 0.2]), bins=[0.0, 0.5, 1.0, 1.5], kind="radial")
    np.testing.assert_allclose(d.expected(G.radial_cdf), 1.0 / (np.pi * 1.5**2), rtol=1e-14)
    np.testing.assert_allclose(d.expected(G.radial_cdf), G.eigenvalue_density(d.centers), rtol=1e-14)


def test_singular_values_exact():
    np.testing.assert_allclose(spectra.singular_values(np.array([[0.0, 3.0], [-4.0, 0.0]])), [4.0, 3.0])
    stack = np.stack([np.diag([1.0, 2.0]), np.diag([5.0, -6.0])])
    np.testing.assert_allclose(spectra.singular_values(stack), [[2.0, 1.0], [6.0, 5.0]])


# ---------------------------------------------------------------------------
# sampling over seeds
# ---------------------------------------------------------------------------

def test_eigenvalues_over_seeds_batched_and_reproducible():
    G = Gaussian(1.2)
    a = spectra.eigenvalues(G, n=40, seeds=[3, 4, 5], threads=THREADS)
    assert a.shape == (3, 40) and a.dtype == np.complex128
    # one matrix per batch gives the same numbers as one batch
    b = spectra.eigenvalues(G, n=40, seeds=[3, 4, 5], max_bytes=1)
    np.testing.assert_array_equal(a, b)
    direct = np.linalg.eigvals(G.sample(40, seed=4))
    np.testing.assert_allclose(np.sort_complex(a[1]), np.sort_complex(direct))
    gens = [np.random.default_rng(9), np.random.default_rng(9)]
    np.testing.assert_array_equal(spectra.eigenvalues(G, n=10, seeds=gens[:1]),
                                  spectra.eigenvalues(G, n=10, seeds=gens[1:]))
    f32 = spectra.eigenvalues(G, n=20, seeds=[0], dtype=np.float32)
    assert f32.dtype == np.complex128
    assert spectra.singular_values(G, n=20, seeds=[0, 1]).shape == (2, 20)


def test_binned_density_of_gaussian_samples_matches_the_disk():
    n, seeds, g = 400, range(2), 1.3
    ev = spectra.eigenvalues(Gaussian(g), n=n, seeds=seeds, threads=THREADS)
    d = spectra.binned_density(ev, bins=np.linspace(0, 0.9 * g, 7), kind="radial")
    theory = d.expected(Gaussian(g).radial_cdf)
    # each bin is a difference of two CDF values: finite-size budget 2 b(n) in fraction units
    tol = 4 * np.sqrt(theory * d.measure * (1 - theory * d.measure) / d.n_total) / d.measure \
        + 2 * spectra.edge_budget(n) / d.measure
    assert np.all(np.abs(d.density - theory) < tol)
    # a wrong radius is detected (per-bin densities of 800 eigenvalues are a weak test:
    # g = 1.1 is not resolved, g = 0.9, twice the density, is)
    wrong = d.expected(Gaussian(0.9).radial_cdf)
    assert np.any(np.abs(d.density - wrong) > tol)


# ---------------------------------------------------------------------------
# budgets and margins against closed forms
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("n", [200, 1000, 4000])
def test_edge_budget_is_the_sup_deviation_of_complex_ginibre(n):
    # Kostlan: n|lambda|^2 ~ Gamma(k, 1), k = 1..n, independent -> exact E F_n(r)
    r = np.linspace(0.0, 1.3, 131)            # includes r = 1, where the deviation peaks
    k = np.arange(1, n + 1)
    EF = gammainc(k[:, None], n * r[None, :] ** 2).mean(axis=0)
    sup = np.max(np.abs(EF - np.minimum(r, 1.0) ** 2))
    b = spectra.edge_budget(n)
    assert sup <= b
    assert sup > 0.97 * b          # the budget is the asymptotic sup, 1/sqrt(2 pi n), not a loose bound
    assert b == pytest.approx(1 / math.sqrt(2 * math.pi * n))


def test_margins_and_tolerances():
    assert spectra.outlier_margin(400) == pytest.approx(3 / 20)
    assert spectra.outlier_tolerance(400, 2.0) == pytest.approx(6 * 2 / 20)
    with pytest.raises(ParameterError, match="`n`"):
        spectra.outlier_margin(1)
    with pytest.raises(ParameterError, match="`radius`"):
        spectra.outlier_tolerance(100, -1.0)


# ---------------------------------------------------------------------------
# outliers
# ---------------------------------------------------------------------------

def test_find_outliers_finds_the_J0_outlier_and_none_without_it():
    n = 400
    for seed in range(3):
        ev = spectra.eigenvalues(Gaussian(1.0, J0=3.0).sample(n, seed=seed), threads=THREADS)
        out = spectra.find_outliers(ev, 1.0)
        assert out.size == 1
        assert abs(out[0] - 3.0) < spectra.outlier_tolerance(n, 1.0)
        ev0 = spectra.eigenvalues(Gaussian(1.0, J0=0.0).sample(n, seed=seed), threads=THREADS)
        assert spectra.find_outliers(ev0, 1.0).size == 0
        # the margin matters: with none, the bulk edge itself produces "outliers"
        assert spectra.find_outliers(ev0, 0.9, margin=0.0).size > 0


def test_find_outliers_order_and_margin():
    ev = np.array([0.1, 2.0j, -3.0, 2.0, 0.5, 1.21])
    out = spectra.find_outliers(ev, 1.0, margin=0.2)
    np.testing.assert_array_equal(out, [-3.0, 2.0j, 2.0, 1.21])   # ties: increasing real part


# ---------------------------------------------------------------------------
# compare
# ---------------------------------------------------------------------------

def test_compare_gaussian_passes_at_n300_with_3_seeds():
    res = spectra.compare(Gaussian(1.5), n=300, seeds=range(3), threads=THREADS)
    assert res.passed, res.table()
    names = [r.name for r in res.rows]
    assert names[:6] == ["F(0.25R)", "F(0.5R)", "F(0.75R)", "F(0.9R)", "F(0.95R)", "F(1.05R)"]
    assert res["outliers"].theory == 0.0 and res["outliers"].simulation.mean == 0.0
    assert res.budget == pytest.approx(spectra.edge_budget(300))
    row = res["F(0.5R)"]
    assert row.theory == pytest.approx(0.25)
    # binomial error of the pooled fraction at the theory's p
    assert row.simulation.stderr == pytest.approx(math.sqrt(0.25 * 0.75 / 900))
    assert row.tolerance == pytest.approx(4 * row.simulation.stderr + res.budget)
    # singular values: theory by quadrature equals the closed-form quarter-circle CDF
    sv_rows = [r for r in res.rows if r.kind == "singular_cdf"]
    assert len(sv_rows) == 5
    for r in sv_rows:
        assert r.theory == pytest.approx(quarter_circle_cdf(r.x, 1.5), abs=1e-8)
    assert "| F(0.5R) | 0.25 |" in res.table()
    assert "passed=True" in repr(res)


class WithSingularCDF(FakeEnsemble):
    """States the singular values by a CDF (as ensembles with point masses do)."""

    def singular_value_cdf(self, s):
        return quarter_circle_cdf(np.asarray(s, dtype=float), self.theory.g)


class WithSingularDensity(FakeEnsemble):
    def __init__(self, sampled, theory, weight=1.0):
        super().__init__(sampled, theory)
        self.weight = weight

    def singular_value_density(self, s):
        return self.weight * self.theory.singular_value_density(s)


def test_singular_values_from_a_cdf_or_a_density_agree():
    by_cdf = spectra.compare(WithSingularCDF(Gaussian(1.2), Gaussian(1.2)), n=200, seeds=[0, 1],
                             threads=THREADS)
    by_density = spectra.compare(WithSingularDensity(Gaussian(1.2), Gaussian(1.2)), n=200,
                                 seeds=[0, 1], threads=THREADS)
    assert by_cdf.passed and by_density.passed
    assert any("singular_value_cdf" in note for note in by_cdf.notes)
    assert any("quadrature" in note for note in by_density.notes)
    a = [r for r in by_cdf.rows if r.kind == "singular_cdf"]
    b = [r for r in by_density.rows if r.kind == "singular_cdf"]
    assert [r.x for r in a] == pytest.approx([r.x for r in b], abs=2e-3)     # s+ from a grid vs bisection
    assert [r.theory for r in a] == pytest.approx([quarter_circle_cdf(r.x, 1.2) for r in a], abs=1e-12)
    # a density that misses mass (a point mass it does not state) is reported and fails
    short = spectra.compare(WithSingularDensity(Gaussian(1.2), Gaussian(1.2), weight=0.8), n=200,
                            seeds=[0, 1], threads=THREADS)
    assert any("integrates to 0.8" in note for note in short.notes)
    assert not short.passed and not short["F_sv(0.95s+)"].passed


def test_compare_fails_for_a_wrong_theory():
    # sampled with g = 1.5, theory of g = 1.3: the comparison must be able to fail
    fake = FakeEnsemble(Gaussian(1.5), Gaussian(1.3))
    res = spectra.compare(fake, n=300, seeds=range(3), threads=THREADS)
    assert not res.passed
    assert not res["F(0.95R)"].passed and not res["F(0.75R)"].passed
    assert res["F(0.95R)"].z < -10
    assert "F(0.95R)" in res.message
    assert {r.name for r in res.failures()} >= {"F(0.75R)", "F(0.9R)", "F(0.95R)", "F(1.05R)"}
    # the bulk beyond the theory's radius is reported as spurious outliers
    assert not res["outliers"].passed


def test_compare_error_over_seeds_is_tighter_and_still_fails_a_wrong_theory():
    res = spectra.compare(Gaussian(1.0), n=300, seeds=range(4), error="seeds", threads=THREADS)
    ev = res.eigenvalues
    F = spectra.radial_cdf(ev, 0.5)
    assert res["F(0.5R)"].simulation.stderr == pytest.approx(F.std(ddof=1) / 2)
    i = res.row_name.index("F(0.5R)")
    assert res.row_stderr_seeds[i] == pytest.approx(F.std(ddof=1) / 2)
    assert res.row_stderr_binomial[i] == pytest.approx(math.sqrt(0.25 * 0.75 / 1200))
    assert res.row_stderr_seeds[i] < res.row_stderr_binomial[i]     # eigenvalues repel
    # power: a 3% wrong g (0.97) was caught in only 22 of 30 sets of 4 seeds at n = 300; 5% off
    # was caught in 30 of 30, the largest |deviation|/tolerance never below 1.41
    bad = spectra.compare(FakeEnsemble(Gaussian(1.0), Gaussian(0.95)), n=300, seeds=range(4),
                          error="seeds", singular_values=False, threads=THREADS)
    assert not bad.passed


def test_compare_matches_the_J0_outlier():
    fake = FakeEnsemble(Gaussian(1.0, J0=3.0), Gaussian(1.0, J0=3.0), outliers_take_n=True)
    res = spectra.compare(fake, n=300, seeds=range(3), threads=THREADS)
    assert fake.calls == [300]                      # outliers(n) used when it takes n
    assert res.passed, res.table()
    row = res["outlier 1 (Re)"]
    assert row.theory == 3.0 and abs(row.simulation.mean - 3.0) < row.tolerance
    assert res["outliers"].simulation.mean == 1.0
    assert res.outliers_found.size == 3 and set(res.outliers_seed.tolist()) == {0, 1, 2}
    # the theory CDF carries the outlier as one eigenvalue: F(1.05R) = (n - 1)/n
    assert res["F(1.05R)"].theory == pytest.approx(299 / 300)
    # the sampled fraction may lose a bulk eigenvalue beyond 1.05R (edge fluctuations):
    # it must lie within its row's tolerance, not equal 299/300 (a seed-lucky equality)
    row = res["F(1.05R)"]
    assert abs(row.simulation.mean - 299 / 300) < row.tolerance


def test_compare_fails_on_missing_or_spurious_outliers():
    # samples have the J0 = 3 outlier, the theory predicts none -> spurious
    spurious = spectra.compare(FakeEnsemble(Gaussian(1.0, J0=3.0), Gaussian(1.0)), n=300,
                               seeds=range(2), singular_values=False, threads=THREADS)
    assert not spurious["outliers"].passed and not spurious.passed
    # theory predicts an outlier at 3 the samples do not have -> missing
    missing = spectra.compare(FakeEnsemble(Gaussian(1.0), Gaussian(1.0, J0=3.0)), n=300,
                              seeds=range(2), singular_values=False, threads=THREADS)
    assert not missing["outliers"].passed and not missing["outlier 1 (Re)"].passed
    assert missing["outlier 1 (Re)"].simulation is None
    assert "not found" in missing.table()
    # predicted at the wrong place (3.5 instead of 3): matched nowhere -> fails
    shifted = spectra.compare(FakeEnsemble(Gaussian(1.0, J0=3.0), Gaussian(1.0), outliers=[3.5]),
                              n=300, seeds=range(2), singular_values=False, threads=THREADS)
    assert not shifted.passed


def test_compare_does_not_require_unresolvable_outliers():
    # J0 = 1.2 at n = 300 sits inside threshold + tolerance (1.17 + 0.35)
    res = spectra.compare(Gaussian(1.0, J0=1.2), n=300, seeds=range(2), singular_values=False,
                          threads=THREADS)
    assert res["outliers"].theory == 0.0
    assert res["outlier 1 (Re)"].passed
    assert any("not resolvable" in note for note in res.notes)


def test_compare_prints_sample_values_it_never_measured_regression():
    # issue 7: an outlier predicted at 1.05 (J0 = 1.05, inside the resolution at n = 300)
    # that no seed found was printed as "1.05 ± 0 (n=2)": the theory filled in as a sample
    # samples without the mean (so no seed can find it: a bulk eigenvalue beyond the detection
    # margin 3/sqrt(n) has probability < 1e-3 per matrix), theory with it
    res = spectra.compare(FakeEnsemble(Gaussian(1.0), Gaussian(1.0, J0=1.05)), n=300,
                          seeds=range(2), singular_values=False, threads=THREADS)
    row = res["outlier 1 (Re)"]
    assert row.simulation is None and row.sample_mean is None
    assert row.found == 0 and row.missing == 2 and row.passed       # not resolvable: not required
    assert row.samples_text == "not found in 2 of 2 seeds"
    line = next(ln for ln in res.table().splitlines() if ln.startswith("| outlier 1 (Re)"))
    assert "not found in 2 of 2 seeds" in line and "±" not in line and "1.05 (" not in line
    i = res.row_name.index("outlier 1 (Re)")
    assert np.isnan(res.row_mean[i]) and res.row_found[i] == 0
    # a resolvable outlier missing from every seed: a failing row that says so
    missing = spectra.compare(FakeEnsemble(Gaussian(1.0), Gaussian(1.0, J0=3.0)), n=300,
                              seeds=range(2), singular_values=False, threads=THREADS)
    row = missing["outlier 1 (Re)"]
    assert not row.passed and row.simulation is None and row.samples_text.startswith("not found")
    assert "outlier 1 (Re) (not found in 2 of 2 seeds)" in missing.message


def test_validation_missing_outlier_is_an_error_instead_of_a_failing_row_regression():
    # issue 7: validation/matrices.py built Estimate(nan, nan, 0), which raises, so a missing
    # outlier turned the whole case into an ERROR
    from validation.matrices import FixedComparison, NotMeasured, spectrum_rows
    missing = spectra.compare(FakeEnsemble(Gaussian(1.0), Gaussian(1.0, J0=3.0)), n=200,
                              seeds=range(2), singular_values=False, threads=THREADS)
    rows = spectrum_rows(missing)
    row = next(r for r in rows if r.name.startswith("outlier 1 (Re)"))
    assert row.name == "outlier 1 (Re): not found in 2 of 2 seeds"
    assert not row.ok and isinstance(row.simulation, NotMeasured)
    assert str(row.simulation) == "not found in 2 of 2 seeds" and row.simulation.n == 0
    assert np.isnan(row.z)
    comp = FixedComparison(rows, missing)
    assert not all(comp.row_passed()) and math.isfinite(comp.max_abs_z)
    # the rows that were measured keep their estimates
    assert all(r.ok for r in rows if r.quantity == "eigenvalue_cdf")


def test_compare_is_reproducible_and_saves(tmp_path):
    a = spectra.compare(Gaussian(1.0, J0=2.0), n=120, seeds=[4, 7], threads=THREADS)
    b = spectra.compare(Gaussian(1.0, J0=2.0), n=120, seeds=[4, 7], threads=THREADS)
    np.testing.assert_array_equal(a.row_mean, b.row_mean)
    path = a.save(tmp_path / "cmp.npz")
    c = spectra.SpectrumComparison.load(path)
    assert c.rows == a.rows and c.passed == a.passed and c.seeds == (4, 7)
    np.testing.assert_array_equal(c.eigenvalues, a.eigenvalues)
    d = spectra.binned_density(a.eigenvalues, bins=5)
    e = spectra.BinnedDensity.load(d.save(tmp_path / "bd"))
    np.testing.assert_array_equal(e.density, d.density)


def test_custom_radii_budget_and_sv_points():
    res = spectra.compare(Gaussian(2.0), n=150, seeds=[0, 1], radii=[1.0, 0.5], budget=0.0,
                          sv_points=[1.0, 2.0], threads=THREADS)
    assert [r.x for r in res.rows if r.kind == "eigenvalue_cdf"] == [0.5, 1.0]
    assert res.budget == 0.0
    assert [r.x for r in res.rows if r.kind == "singular_cdf"] == [1.0, 2.0]
    res2 = spectra.compare(Gaussian(2.0), n=150, seeds=[0], budget=lambda n: 1 / n,
                           singular_values=False, threads=THREADS)
    assert res2.budget == pytest.approx(1 / 150)
    assert res2.singular_values.size == 0


def test_plots_return_figures():
    res = spectra.compare(Gaussian(1.0, J0=2.5), n=150, seeds=[0, 1], threads=THREADS)
    fig = res.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    fig2 = spectra.compare(FakeEnsemble(Gaussian(1.5), Gaussian(1.3)), n=120, seeds=[0],
                           threads=THREADS).plot()
    assert isinstance(fig2, Figure) and len(fig2.axes) == 3
    d = spectra.binned_density(res.eigenvalues, bins=8)
    fig3 = d.plot(expected=d.expected(Gaussian(1.0).radial_cdf))
    assert isinstance(fig3, Figure)
    assert mf.plotting.plot_spectrum_comparison is not None


def test_public_names():
    assert mf.spectra is spectra
    assert "spectra" in mf.__all__


def test_doctests():
    with threadpool_limits(THREADS):
        result = doctest.testmod(spectra, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 5 and result.failed == 0


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: spectra.binned_density([1.0], kind="polar"), "`kind`"),
    (lambda: spectra.binned_density([1.0], bins=0), "`bins`"),
    (lambda: spectra.binned_density([1.0], bins=[0.0, 1.0, 0.5]), "`bins`"),
    (lambda: spectra.binned_density([1.0], bins=[-1.0, 1.0]), "radial bin edges"),
    (lambda: spectra.binned_density([1.0], bins=3, range=(2.0, 1.0)), "`range`"),
    (lambda: spectra.binned_density([np.nan], bins=3), "`values`"),
    (lambda: spectra.radial_cdf([1.0, 2.0], [-0.5, 1.0]), "`r`"),
    (lambda: spectra.radial_cdf([1.0, np.nan], 1.0), "`eigs`"),
    (lambda: spectra.radial_cdf([], 1.0), "`eigs`"),
    (lambda: spectra.eigenvalues(np.ones((3, 4))), "`source`"),
    (lambda: spectra.eigenvalues(np.array([[1.0, np.nan], [0.0, 1.0]])), "`source`"),
    (lambda: spectra.eigenvalues(np.ones(3)), "`source`"),
    (lambda: spectra.eigenvalues(np.eye(2), n=2), "`n`"),
    (lambda: spectra.eigenvalues(Gaussian(1.0), n=1, seeds=[0]), "`n`"),
    (lambda: spectra.eigenvalues(Gaussian(1.0), n=10), "`seeds`"),
    (lambda: spectra.eigenvalues(Gaussian(1.0), n=10, seeds=[]), "`seeds`"),
    (lambda: spectra.eigenvalues(Gaussian(1.0), n=10, seeds=[-1]), "`seed`"),
    (lambda: spectra.find_outliers([1.0, 2.0], 0.0), "`radius`"),
    (lambda: spectra.find_outliers([1.0, 2.0], 1.0, margin=-0.1), "`margin`"),
    (lambda: spectra.find_outliers([[1.0, 2.0]], 1.0), "`eigs`"),
    (lambda: spectra.compare(Gaussian(1.0), n=1, seeds=[0]), "`n`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[]), "`seeds`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=3), "`seeds`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[0.5]), "`seeds`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[0], radii=[-1.0]), "`radii`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[0], radii=[np.nan]), "`radii`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[0], error="student"), "`error`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[0], error="seeds"), "`error`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[0], k=-1.0), "`k`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[0], budget=-0.1), "`budget`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[0], outlier_tol=0.0), "`outlier_tol`"),
    (lambda: spectra.compare(Gaussian(0.0), n=50, seeds=[0]), "spectral_radius"),
    (lambda: spectra.compare(object(), n=50, seeds=[0]), "`ensemble`"),
    (lambda: spectra.compare(FakeEnsemble(Gaussian(1.0), Gaussian(1.0)), n=50, seeds=[0],
                             singular_values=True), "`singular_values`"),
    (lambda: spectra.compare(Gaussian(1.0), n=50, seeds=[0], threads=0), "`threads`"),
])
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ParameterError, match=name):
        call()


# ---------------------------------------------------------------------------
# properties: bad and extreme input gives ParameterError / ConvergenceError, never NaN
# ---------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from meanfield.errors import ConvergenceError  # noqa: E402

_PROP = settings(deadline=None, max_examples=60, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])
_EXTREME = st.sampled_from([0.0, -0.0, 1e-320, 1e-300, 1e-8, 1.0, 1.0 + 2e-16, 3.0, 1e8, 1e100,
                            1e200, 1e308, -1.0, -1e308, math.nan, math.inf])


def _finite_result(obj):
    for name in ("edges", "counts", "measure", "density", "stderr"):
        assert np.all(np.isfinite(getattr(obj, name))), (name, getattr(obj, name))


@_PROP
@given(values=st.lists(st.one_of(_EXTREME, st.complex_numbers(max_magnitude=1e10)), min_size=0,
                       max_size=5),
       bins=st.one_of(st.integers(-2, 2000), st.just(10 ** 12), st.lists(_EXTREME, max_size=4)),
       kind=st.sampled_from(["radial", "real", "imag", "polar"]),
       range_=st.one_of(st.none(), st.tuples(_EXTREME, _EXTREME)))
def test_binned_density_is_finite_or_refuses(values, bins, kind, range_):
    try:
        d = spectra.binned_density(values, bins=bins, kind=kind, range=range_)
    except (ParameterError, ConvergenceError):
        return
    _finite_result(d)
    assert np.all(d.density >= 0)


def test_binned_density_extreme_values_regression():
    # issue 7 section 5: overflowing squares, spans that overflow, bins narrower than the float
    # resolution gave inf/NaN densities (and 10**9 bins exhausted memory)
    for values, kw in [([1e200, 2e200], {}), ([-1e308, 1e308], dict(kind="real")),
                       ([1.0, 1.0 + 2e-16], dict(bins=1000, kind="real")),
                       ([1e-320, 2e-320], dict(bins=3)), ([0.5], dict(bins=10 ** 9))]:
        with pytest.raises(ParameterError, match="`(values|bins|range)`"):
            spectra.binned_density(values, **kw)


@_PROP
@given(values=st.lists(st.one_of(_EXTREME, st.floats(-5, 5)), min_size=0, max_size=6),
       r=st.one_of(_EXTREME, st.lists(_EXTREME, max_size=3)))
def test_radial_cdf_and_find_outliers_are_finite_or_refuse(values, r):
    for call in (lambda: spectra.radial_cdf(values, r),
                 lambda: spectra.find_outliers(values, r)):
        try:
            out = call()
        except (ParameterError, ConvergenceError):
            continue
        assert np.all(np.isfinite(np.asarray(out)))
