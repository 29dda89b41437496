"""Equipment control: the fleet, work instructions, dispatch, confirmations and productivity."""
