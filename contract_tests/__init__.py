"""Contract-testing kit for Creatify's text generation API: schemas loader, checks and the shipped suite."""
