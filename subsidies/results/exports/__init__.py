"""Exports of results and confirmations: the 精算額調 as xlsx, confirmed amounts as JSON."""
