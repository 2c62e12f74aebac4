"""The e-tax platform as AWS CDK constructs: the platform, then one module per plan board."""
