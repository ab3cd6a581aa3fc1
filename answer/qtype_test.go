package answer

import "testing"

func TestQuestionWants(t *testing.T) {
	tests := []struct {
		q    string
		want want
	}{
		{"How many loans has China provided?", wantNumber},
		{"How high do the tides reach?", wantNumber},
		{"When was the forum launched?", wantTime},
		{"In what year did it open?", wantTime},
		{"Where was the center established?", wantPlace},
		{"Who are the authors?", wantPerson},
		{"Which Latin American countries joined the AIIB?", wantList},
		{"What are the six priority fields?", wantList},
		{"Which small Caribbean state did China help?", wantAny},
		{"Who led Richard's troops when Cyprus was conquered?", wantPerson}, // the first question word decides
		{"How many men died when the fort fell?", wantNumber},
		{"When extensive time is required to sort integers, this represents what case complexity?", wantAny}, // an opening clause
		{"When the war ended, who ruled Cyprus?", wantPerson},
		{"When did the war end, in 1918?", wantTime},
		{"What is an example of a problem in NP?", wantExample},
		{"A function problem is an example of what?", wantAny}, // not asking for an example
		{"What is the name for a problem that meets Ladner's assertion?", wantName},
		{"What was the language of the Normans called?", wantName},
		{"中拉論壇首屆部長級會議在哪裡開幕?", wantPlace},
		{"有哪些國家加入了亞投行?", wantList},
	}
	for _, tt := range tests {
		if got := questionWants(tt.q); got != tt.want {
			t.Errorf("questionWants(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestSatisfies(t *testing.T) {
	tests := []struct {
		w        want
		sentence string
		question string
		ok       bool
	}{
		{wantNumber, "It has held the seminar four times.", "How many times was it held?", true},
		{wantNumber, "It has held the seminar often.", "How many times was it held?", false},
		{wantTime, "The center opened in July 2022.", "When did the center open?", true},
		{wantTime, "A third attack came in 1185, when an army invaded.", "When did the Normans attack?", true},
		{wantTime, "The fief began in 911 by treaty.", "When did the fief begin?", true},
		{wantTime, "Their identity emerged in the 10th century.", "What century did their identity emerge?", true},
		{wantTime, "The army had 1185 men.", "When did the army arrive in 1185?", false}, // the question's own year
		{wantPlace, "The center was established in Jinan.", "Where was the center established?", true},
		{wantList, "Ecuador, Brazil, Argentina, Chile, and Uruguay joined the AIIB.", "Which countries joined?", true},
		{wantList, "China and Brazil (2012), Peru (2013), Mexico (2013) established partnerships.", "Which countries?", true},
		{wantList, "In November 2008, China's first Policy Document on Latin America was published.", "Which countries?", false},
		{wantList, "三大引擎,即貿易、投資、金融合作", "哪些?", true},
		{wantExample, "It contains hard problems, such as the knapsack problem.", "What is an example of a hard problem?", true},
		{wantExample, "It contains many hard problems.", "What is an example of a hard problem?", false},
		{wantName, "Such problems are called NP-intermediate problems.", "What is the name for such a problem?", true},
		{wantName, "It was shown by Ladner that such problems exist.", "What is the name for such a problem?", false},
		{wantPerson, "Ethelred was forced from his kingdom by Sweyn Forkbeard.", "Who kicked Ethelred out?", true},
		{wantPerson, "It was granted to Rollo.", "Who got the land?", true},                  // one name
		{wantPerson, "In April the fleet left Messina.", "Who left Messina?", false},         // a month; the question's name
		{wantPerson, "Fishermen plan their work around it.", "Who plans their work?", false}, // only the first word
	}
	for _, tt := range tests {
		if got := satisfies(tt.w, tt.sentence, tt.question); got != tt.ok {
			t.Errorf("satisfies(%v, %q) = %v, want %v", tt.w, tt.sentence, got, tt.ok)
		}
	}
}
