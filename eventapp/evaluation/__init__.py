"""The evaluation questionnaire after the day: built from ready blocks, sent by email
with a personal link into "Mon programme", answered and edited until it closes, results
per question, session, workshop and category."""
