"""The install-hook scanner's parts: file roles, the AST walk, taint, rules and prefilter."""
