"""The kernel: processes, their state machine, rules, instructions, resources and task lists."""
