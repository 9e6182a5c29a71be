"""``creatify-mock calibrate``: mock settings and scenario rules derived from a recording and/or a contract report."""
