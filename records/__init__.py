"""The patient's record: printable reports, the data export and account deletion.

Depends on diagnosis (records -> diagnosis -> ml); diagnosis and accounts never import it.
"""
