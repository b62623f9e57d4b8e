module gomedic.test/goservice

go 1.22
