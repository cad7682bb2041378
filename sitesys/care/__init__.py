"""Care beyond the booth: referrals, the ketamine bladder screen, education."""
