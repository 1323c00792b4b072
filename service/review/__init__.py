"""Alert review: users, four-eyes decisions on alerts, the accept list they feed, and case reports."""
