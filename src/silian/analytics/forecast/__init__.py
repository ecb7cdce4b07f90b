"""Forecasts of annual openings: the history checked and laid out (:mod:`.history`), the models and their
rolling-origin backtest (:mod:`.backtest`), and the forecast by industry or occupation (:mod:`.openings`)."""
