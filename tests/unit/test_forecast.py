"""Stock-out and slot-fill forecasts, and the held-out evaluation against the naive baseline."""

from __future__ import annotations

from shared.forecasting.evaluation import evaluate, held_out_histories
from shared.forecasting.slot_fill import expected_fill_days
from shared.forecasting.stock_forecast import DAY, days_to_stockout, naive_days_to_stockout

T0 = 1_700_000_000.0


def test_steady_sales_give_the_obvious_answer() -> None:
    points = [(T0 + d * DAY, 100 - 5 * d) for d in range(8)]  # 5 a day, 65 left
    forecast = days_to_stockout(points)
    assert forecast.rate_per_day is not None and abs(forecast.rate_per_day - 5) < 1e-6
    assert forecast.days_to_stockout == 13.0
    assert forecast.confidence > 0.3


def test_restocks_do_not_count_as_negative_sales() -> None:
    points = [(T0, 20), (T0 + DAY, 10), (T0 + 2 * DAY, 60), (T0 + 3 * DAY, 50)]
    forecast = days_to_stockout(points)
    assert forecast.rate_per_day is not None and abs(forecast.rate_per_day - 10) < 0.5
    assert forecast.days_to_stockout is not None and 4.5 < forecast.days_to_stockout < 5.5


def test_unknown_and_out() -> None:
    assert days_to_stockout([(T0, 10)]).days_to_stockout is None
    assert days_to_stockout([(T0, 10), (T0 + DAY, 10)]).days_to_stockout is None  # not selling
    assert days_to_stockout([(T0, 3), (T0 + DAY, 0)]).days_to_stockout == 0.0
    assert naive_days_to_stockout([(T0, 10), (T0 + DAY, 12)]) is None


def test_held_out_error_is_at_least_25_percent_below_the_naive_baseline() -> None:
    report = evaluate(held_out_histories(200, seed=11))
    assert report["mae_days"] <= 0.75 * report["naive_mae_days"], report


def test_slot_fill_time() -> None:
    assert expected_fill_days([(T0, 0), (T0 + 2 * DAY, 2)], capacity=6) == 4.0
    assert expected_fill_days([(T0, 3)], capacity=3) == 0.0
    assert expected_fill_days([(T0, 1)], capacity=3) is None
