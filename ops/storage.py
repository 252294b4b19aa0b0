"""Static files for production: whitenoise's compressed manifest storage, tolerant of one thing."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

# KaTeX's stylesheet names .woff and .ttf fallbacks after each .woff2 font; only the .woff2 files
# are vendored (every browser the site supports loads them), so references to the fallbacks are
# left as they are instead of failing collectstatic. Any other missing file still fails it.
FALLBACK_FONT_SUFFIXES = (".woff", ".ttf", ".eot")


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            clean = self.clean_name(name).split("?", 1)[0].split("#", 1)[0]
            if content is None and clean.endswith(FALLBACK_FONT_SUFFIXES) and not self.exists(clean):
                return name
            raise
