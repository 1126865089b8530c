"""The area's own records: figures and resources, plan actions, 懇話会, hub candidates."""
