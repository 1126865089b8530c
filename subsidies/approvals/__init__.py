"""決裁: what staff draft (起案) and an approver (決裁権者) approves or sends back:
decisions, refusals, change decisions, 額の確定; and the queue of drafts awaiting approval."""
