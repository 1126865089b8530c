"""The budget of a fiscal year, the hubs' 意向調査, and sharing a short budget out
(段階的な補助)."""
