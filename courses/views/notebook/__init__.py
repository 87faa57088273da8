"""The notebook exercise page: the released notebook with editors, drafts, Check and Submit.

page.py renders it; actions.py takes drafts, runs (submit or check), uploads and downloads;
status.py answers the page's polling; cells.py turns a released notebook into what the template
shows; common.py holds the permission check, the Content-Security-Policy and JSON helpers.
"""
