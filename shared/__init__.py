"""Claim funding for mentors: the code shared by every Lambda function (shipped as a layer)."""
