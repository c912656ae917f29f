module github.com/003random/getJS

go 1.16

require (
	github.com/PuerkitoBio/goquery v1.7.1
	github.com/logrusorgru/aurora v2.0.3+incompatible
	github.com/spf13/pflag v1.0.5
)
