package answer

import (
	"regexp"
	"strings"
	"unicode"
)

// want is the kind of information a question asks for, read from its wording.
type want int

const (
	wantAny want = iota
	wantNumber
	wantTime
	wantPlace
	wantPerson
	wantList
	wantExample
	wantName
)

var (
	reNumberQ  = regexp.MustCompile(`(?i)\bhow (many|much|often|high|long|far|big|large|old|tall|deep|fast|wide|heavy)\b|\bwhat (number|percentage|share|amount)\b|多少|幾|几`)
	reTimeQ    = regexp.MustCompile(`(?i)\bwhen\b|\bwhat (year|date|month|day|time)\b|\bwhich (year|date|month)\b|\bsince when\b|何時|何时|什麼時候|什么时候|哪一年|哪年`)
	rePlaceQ   = regexp.MustCompile(`(?i)\bwhere\b|\bin which (city|country|place)\b|\bwhat (city|country|place)\b|哪裡|哪里|何處|何处|哪個城市|哪个城市`)
	reListQ    = regexp.MustCompile(`(?i)\bwhich\s+(?:[\p{L}-]+\s+){0,3}?[\p{L}-]+(?:ies|[^s]s)\b|\bwhat (?:are|were) the\b|\b(?:name|list) (?:the|all)\b|哪些`)
	reExampleQ = regexp.MustCompile(`(?i)\b(?:what|which|name|give)\b[\w\s-]{0,25}?\bexamples?\b`)
	reNameQ    = regexp.MustCompile(`(?i)\bwhat (?:is|was|are|were) the (?:name|term)s?\b|\bwhat (?:name|term)s?\b|\bwhat (?:is|was|are|were)\b.{1,60}\b(?:called|named|known as|termed)\b`)
	rePersonQ  = regexp.MustCompile(`(?i)\bwho\b|\bwhom\b|\bwhose\b|\bwhich (person|president|minister|leader|author)s?\b|誰|谁`)

	reNumber = regexp.MustCompile(`\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|once|twice)\b|[一二三四五六七八九十百千萬万億亿兩两]`)
	reTime   = regexp.MustCompile(`\b(1\d|20)\d\ds?\b|\b(?:in|by|until|since|from|after|before|around|about|c\.) [1-9]\d\d\b|\b\d\d?(?:st|nd|rd|th) centur|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|\d+年|\d+月`)
	rePlace  = regexp.MustCompile(`\b(in|at|to|from) (the )?[A-Z][\p{L}-]+|在[\p{Han}]{2,}`)
	// rePerson is a capitalised word inside a sentence (not its first
	// word): "by Sweyn Forkbeard", "Rollo". Months and days are not names.
	rePerson = regexp.MustCompile(`[\p{Ll},;:] (?:(?:[A-Z][\p{Ll}'-]+|[A-Z]\.) ?)+`)
	// reList is an enumeration of three or more names, as "Ecuador, Brazil and
	// Chile" or "Brazil (2012), Peru (2013), …", or of Chinese terms with 、.
	reList = regexp.MustCompile(`[A-Z][\p{L}-]+(?: [A-Z][\p{L}-]+)?(?: \([^)]{1,12}\))?,(?: and)? [A-Z][\p{L}-]+(?: [A-Z][\p{L}-]+)?(?: \([^)]{1,12}\))?,? (?:and )?[A-Z]|\p{Han}{1,8}、\p{Han}{1,8}、\p{Han}`)

	// reExample is a sentence that gives examples of something; reNamed
	// one that names something.
	reExample = regexp.MustCompile(`(?i)\bsuch as\b|\bfor (?:example|instance)\b|\be\.g\.|\binclud(?:e|es|ing)\b|\bexamples?\b`)
	reNamed   = regexp.MustCompile(`(?i)\b(?:called|named?|names|known as|termed|referred to as|dubbed)\b`)
)

var reWhWord = regexp.MustCompile(`(?i)\b(?:what|which|who|whom|whose|how|when|where|why)\b`)

// reLeadClause is a question's opening clause ("When extensive time is
// required to sort integers, this represents what case complexity?"): its
// "when" asks nothing.
var reLeadClause = regexp.MustCompile(`(?i)^\W*(?:when|where|if|while|although|though|since|after|before|as|despite|given)\b[^,?]*,\s*`)

func questionWants(q string) want {
	if loc := reLeadClause.FindStringIndex(q); loc != nil && reWhWord.MatchString(q[loc[1]:]) {
		q = q[loc[1]:]
	}
	// The question word that comes first decides: "Who led the troops when
	// Cyprus was conquered?" asks for a person, not a time.
	best, at := wantAny, len(q)+1
	for _, k := range []struct {
		re *regexp.Regexp
		w  want
	}{{reNumberQ, wantNumber}, {reTimeQ, wantTime}, {rePlaceQ, wantPlace}, {rePersonQ, wantPerson}, {reListQ, wantList}, {reExampleQ, wantExample}, {reNameQ, wantName}} {
		if loc := k.re.FindStringIndex(q); loc != nil && loc[0] < at {
			best, at = k.w, loc[0]
		}
	}
	return best
}

// satisfies reports whether sentence s holds the kind of information w that the
// question does not hold already.
func satisfies(w want, s, question string) bool {
	var re *regexp.Regexp
	switch w {
	case wantNumber:
		re = reNumber
	case wantTime:
		re = reTime
	case wantPlace:
		re = rePlace
	case wantPerson:
		re = rePerson
	case wantList:
		return reList.MatchString(s)
	case wantExample:
		return reExample.MatchString(s)
	case wantName:
		return reNamed.MatchString(s)
	default:
		return false
	}
	ql := strings.ToLower(question)
	for _, m := range re.FindAllString(s, -1) {
		last := lastWord(strings.TrimSuffix(m, " centur"))
		if w == wantPerson && reTime.MatchString(last) {
			continue // "in March" names no one
		}
		if !strings.Contains(ql, strings.ToLower(last)) {
			return true
		}
	}
	return false
}

func lastWord(m string) string {
	f := strings.FieldsFunc(m, func(r rune) bool { return unicode.IsSpace(r) })
	if len(f) == 0 {
		return m
	}
	return f[len(f)-1]
}
