"""A roster file as organisers export it from a spreadsheet."""
HEADER = "name,rank,organisation,appointment,email,phone,sectors,requirements\n"
GOOD = ('R. Iyer,Commander,Indian Navy,"Director, Naval Design",r.iyer@navy.example.in,+91 98100 00001,'
        'Naval systems;unmanned_systems,"Sonar domes, AUV batteries"\n')
