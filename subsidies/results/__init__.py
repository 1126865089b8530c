"""Results (実績報告と額の確定): the results report, its expenses and activities, the
calculation, confirmations, advances and notices."""
