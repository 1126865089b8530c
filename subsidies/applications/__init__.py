"""Applications (交付申請): plans, review, decisions (交付決定) and change requests."""
