"""The transcription of Table 1 of Wei et al. (GLS/NLS, UCI Heart and Splice) in `adios_nb/paper/gls_table1.csv`."""
import pandas as pd
import pytest

from adios_nb.label_noise import format_rate_range, nls_ttest, optimal_smooth_rates
from adios_nb.report import PAPER_KEYS, paper_table

SMOOTH_RATES = [0.8, 0.6, 0.4, 0.2, 0.0, -0.4, -0.6, -1.0, -2.0, -4.0, -8.0]
NOISE_RATES = ["0.0", "0.1", "0.2", "0.3", "0.4"]


@pytest.fixture(scope="module")
def table():
    return paper_table("gls_table1")


def value(table, dataset, metric, condition):
    rows = table[(table.dataset == dataset) & (table.metric == metric) & (table.condition == condition)]
    assert len(rows) == 1, (dataset, metric, condition, len(rows))
    return float(rows["mean"].iloc[0])


def column(table, dataset, noise):
    "One printed column of accuracies, indexed by smooth rate."
    return pd.Series([value(table, dataset, "accuracy", f"noise={noise};r={r:.1f}") for r in SMOOTH_RATES],
                     index=SMOOTH_RATES)


def test_shape_and_keys(table):
    assert len(table) == 11 * 10 + 10 * 2 + 10  # accuracies, r_opt (low, high), p-values
    assert not table.duplicated(list(PAPER_KEYS)).any()
    assert set(table.dataset) == {"uci_heart", "uci_splice"} and set(table.paper) == {"gls"}
    accuracies = table[table.metric == "accuracy"]["mean"]
    assert accuracies.between(0.7, 1.0).all()


def test_spot_checks_against_the_slide_text(table):
    # "r = 0.8	0.885	0.853	0.836	0.820	0.738	0.980	0.946	0.919	0.856	0.760"
    assert [value(table, "uci_heart", "accuracy", f"noise={n};r=0.8") for n in NOISE_RATES] == \
        [0.885, 0.853, 0.836, 0.820, 0.738]
    assert [value(table, "uci_splice", "accuracy", f"noise={n};r=0.8") for n in NOISE_RATES] == \
        [0.980, 0.946, 0.919, 0.856, 0.760]
    # "r = -4.0	0.885	0.869	0.853	0.885	0.820	0.946	0.943	0.939	0.911	0.830"
    assert value(table, "uci_heart", "accuracy", "noise=0.3;r=-4.0") == 0.885
    assert value(table, "uci_splice", "accuracy", "noise=0.3;r=-4.0") == 0.911
    # "r = -8.0	0.869	0.869	0.885	0.853	0.853	0.943	0.946	0.939	0.915	0.845"
    assert value(table, "uci_heart", "accuracy", "noise=0.4;r=-8.0") == 0.853
    assert value(table, "uci_splice", "accuracy", "noise=0.4;r=-8.0") == 0.845
    # "r = -0.6	0.869	0.836	0.820	0.853	0.721	0.961	0.956	0.926	0.880	0.819"
    assert value(table, "uci_heart", "accuracy", "noise=0.4;r=-0.6") == 0.721
    # "r_opt = [0.0, 0.6]	[-8.0, -1.0]	-8.0	-4.0	-8.0	0.8	[-0.6, -0.4]	[-8.0, -4.0]	-8.0	-8.0"
    assert value(table, "uci_heart", "r_opt_low", "noise=0.0") == 0.0
    assert value(table, "uci_heart", "r_opt_high", "noise=0.0") == 0.6
    assert value(table, "uci_splice", "r_opt_low", "noise=0.1") == -0.6
    assert value(table, "uci_splice", "r_opt_high", "noise=0.1") == -0.4
    # "p-value =	0.020	0.136	0.549	0.002	0.243	0.001	0.332	0.002	0.015	0.005"
    assert [value(table, "uci_heart", "p_value", f"noise={n}") for n in NOISE_RATES] == \
        [0.020, 0.136, 0.549, 0.002, 0.243]
    assert [value(table, "uci_splice", "p_value", f"noise={n}") for n in NOISE_RATES] == \
        [0.001, 0.332, 0.002, 0.015, 0.005]


@pytest.mark.parametrize("dataset", ["uci_heart", "uci_splice"])
@pytest.mark.parametrize("noise", NOISE_RATES)
def test_r_opt_and_p_values_follow_from_the_accuracies(table, dataset, noise):
    "A transcription error in any accuracy would very likely break one of these recomputations."
    accuracies = column(table, dataset, noise)
    rates = optimal_smooth_rates(accuracies)
    assert (rates[0], rates[-1]) == (value(table, dataset, "r_opt_low", f"noise={noise}"),
                                     value(table, dataset, "r_opt_high", f"noise={noise}"))
    t_value, p_value = nls_ttest(accuracies)  # Welch's t-test reproduces every printed p-value
    assert round(p_value, 3) == value(table, dataset, "p_value", f"noise={noise}")
    printed = table[(table.dataset == dataset) & (table.metric == "r_opt_low") & (table.condition == f"noise={noise}")]
    assert printed["note"].iloc[0] == f"printed {format_rate_range(rates)}"  # the paper's own notation
