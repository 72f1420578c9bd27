"""The read-only web view: platform timelines, clause diffs and stories, served from the store (`bot.web.site`)."""
