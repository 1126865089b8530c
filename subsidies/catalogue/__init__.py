"""The catalogue: fiscal years and their calculation rules, subsidy menus, expense
categories, requirement items."""
