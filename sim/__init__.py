"""feedsim: a discrete-event simulator of a LinkedIn-like feed.

It shows what a feed algorithm does with its members' linking choices: how far their posts
reach, who engages, and what the platform comes to believe they care about.
"""

__version__ = "0.1.0"
