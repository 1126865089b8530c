"""交付請求 (概算払・精算払) filed by the grantee, payments recorded by staff, the
accounting export, 返還命令・納入通知 and their receipts."""
