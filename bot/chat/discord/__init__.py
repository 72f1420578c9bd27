"""Discord: the discord.py bridge (posting, threads, the app command tree), rendering of neutral messages to embeds."""
