"""Paper the team prints: parcel labels (drawn by Hanout, or the couriers' own PDFs merged)
and the day's pick list, as PDF bytes. A leaf like i18n: it is handed plain facts and the
words already in the reader's language, and imports nothing of the domain."""
