"""Charts (Vega-Lite via Altair) and the self-contained HTML report."""
