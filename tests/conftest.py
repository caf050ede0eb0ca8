from hypothesis import settings

settings.register_profile("yarn", deadline=None, max_examples=200)
settings.load_profile("yarn")
