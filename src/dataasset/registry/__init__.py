"""Registration and rights (登记/确权): the three rights and their grants, registrations on the
workflow engine, certificates anyone can verify, the memorandum register and coverage."""
