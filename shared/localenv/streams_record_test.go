package localenv

// Stream records as Lambda hands them to a handler: the conversion of every attribute type, and
// the repair of the empty maps DynamoDB Local writes.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// allTypes is an item with an attribute of every type, and what its NewImage
// must marshal to.
var allTypes = map[string]ddbtypes.AttributeValue{
	"s":    s("héllo \"quoted\""),
	"n":    &ddbtypes.AttributeValueMemberN{Value: "-12.5"},
	"b":    &ddbtypes.AttributeValueMemberB{Value: []byte{0, 1, 2, 0xff}},
	"t":    &ddbtypes.AttributeValueMemberBOOL{Value: true},
	"f":    &ddbtypes.AttributeValueMemberBOOL{Value: false},
	"null": &ddbtypes.AttributeValueMemberNULL{Value: true},
	"m": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
		"inner": s("x"),
		"deep":  &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{"n": &ddbtypes.AttributeValueMemberN{Value: "1"}}},
		"empty": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{}},
	}},
	"emptyM": &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{}},
	"l": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{
		s("a"), &ddbtypes.AttributeValueMemberN{Value: "2"}, &ddbtypes.AttributeValueMemberNULL{Value: true},
		&ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{&ddbtypes.AttributeValueMemberBOOL{Value: true}}},
		&ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{}},
	}},
	"emptyL": &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{}},
	"ss":     &ddbtypes.AttributeValueMemberSS{Value: []string{"x", "y"}},
	"ns":     &ddbtypes.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
	"bs":     &ddbtypes.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
}

const allTypesJSON = `{
	"pk": {"S": "all"},
	"s": {"S": "héllo \"quoted\""},
	"n": {"N": "-12.5"},
	"b": {"B": "AAEC/w=="},
	"t": {"BOOL": true},
	"f": {"BOOL": false},
	"null": {"NULL": true},
	"m": {"M": {"inner": {"S": "x"}, "deep": {"M": {"n": {"N": "1"}}}, "empty": {"M": {}}}},
	"emptyM": {"M": {}},
	"l": {"L": [{"S": "a"}, {"N": "2"}, {"NULL": true}, {"L": [{"BOOL": true}]}, {"M": {}}]},
	"emptyL": {"L": []},
	"ss": {"SS": ["x", "y"]},
	"ns": {"NS": ["1", "2.5"]},
	"bs": {"BS": ["AQ==", "AgM="]}
}`

// normalJSON decodes JSON and sorts the members of sets, which DynamoDB
// does not keep in order.
func normalJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if k == "SS" || k == "NS" || k == "BS" {
					if l, ok := e.([]any); ok {
						sort.Slice(l, func(i, j int) bool { return fmt.Sprint(l[i]) < fmt.Sprint(l[j]) })
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return v
}

func TestToEventRecord(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 18, 0, 0, time.UTC)
	item := map[string]types.AttributeValue{
		"pk":   &types.AttributeValueMemberS{Value: "all"},
		"s":    &types.AttributeValueMemberS{Value: "héllo \"quoted\""},
		"n":    &types.AttributeValueMemberN{Value: "-12.5"},
		"b":    &types.AttributeValueMemberB{Value: []byte{0, 1, 2, 0xff}},
		"t":    &types.AttributeValueMemberBOOL{Value: true},
		"f":    &types.AttributeValueMemberBOOL{Value: false},
		"null": &types.AttributeValueMemberNULL{Value: true},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"inner": &types.AttributeValueMemberS{Value: "x"},
			"deep":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"n": &types.AttributeValueMemberN{Value: "1"}}},
			"empty": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
		"emptyM": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "a"}, &types.AttributeValueMemberN{Value: "2"}, &types.AttributeValueMemberNULL{Value: true},
			&types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberBOOL{Value: true}}},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
		"emptyL": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		"ss":     &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
		"ns":     &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs":     &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2, 3}}},
	}
	r := types.Record{
		AwsRegion:    aws.String("eu-west-2"),
		EventID:      aws.String("e-1"),
		EventName:    types.OperationTypeModify,
		EventSource:  aws.String("aws:dynamodb"),
		EventVersion: aws.String("1.1"),
		UserIdentity: &types.Identity{Type: aws.String("Service"), PrincipalId: aws.String("dynamodb.amazonaws.com")},
		Dynamodb: &types.StreamRecord{
			ApproximateCreationDateTime: &at,
			Keys:                        map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "all"}},
			NewImage:                    item,
			OldImage:                    map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "all"}},
			SequenceNumber:              aws.String("000000000000000000007"),
			SizeBytes:                   aws.Int64(99),
			StreamViewType:              types.StreamViewTypeNewAndOldImages,
		},
	}
	got, err := toEventRecord(r, "arn:stream")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
		"awsRegion": "eu-west-2",
		"dynamodb": {
			"ApproximateCreationDateTime": ` + strconv.FormatInt(at.Unix(), 10) + `,
			"Keys": {"pk": {"S": "all"}},
			"NewImage": ` + allTypesJSON + `,
			"OldImage": {"pk": {"S": "all"}},
			"SequenceNumber": "000000000000000000007",
			"SizeBytes": 99,
			"StreamViewType": "NEW_AND_OLD_IMAGES"
		},
		"eventID": "e-1",
		"eventName": "MODIFY",
		"eventSource": "aws:dynamodb",
		"eventVersion": "1.1",
		"eventSourceARN": "arn:stream",
		"userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
	}`
	if g, w := normalJSON(t, b), normalJSON(t, []byte(want)); !reflect.DeepEqual(g, w) {
		t.Errorf("record JSON =\n%s\nwant\n%s", b, want)
	}

	// Every attribute type unmarshals back from that JSON.
	var back events.DynamoDBEventRecord
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if !bytes.Equal(b, b2) {
		t.Errorf("record JSON does not round-trip:\n%s\n%s", b, b2)
	}
	img := back.Change.NewImage
	if img["b"].Binary()[3] != 0xff || !img["t"].Boolean() || !img["null"].IsNull() ||
		img["m"].Map()["deep"].Map()["n"].Number() != "1" || img["l"].List()[3].List()[0].Boolean() != true ||
		len(img["bs"].BinarySet()) != 2 || img["ns"].NumberSet()[1] != "2.5" || img["ss"].StringSet()[0] != "x" {
		t.Errorf("unmarshalled image differs: %s", b2)
	}

	// A record without the optional parts.
	bare, err := toEventRecord(types.Record{EventName: types.OperationTypeRemove}, "arn:stream")
	if err != nil || bare.EventSource != "aws:dynamodb" || bare.UserIdentity != nil || bare.Change.NewImage != nil {
		t.Errorf("bare record = %+v, %v", bare, err)
	}
}

func TestFixEmptyMaps(t *testing.T) {
	// As DynamoDB Local writes them: empty maps lose their "M".
	in := `{"Records":[{"eventID":"1","dynamodb":{"ApproximateCreationDateTime":1796030400.000,` +
		`"Keys":{"pk":{"S":"a"}},"NewImage":{"m":{"M":{"x":{"S":"<&>"},"e":{}}},"e":{},"l":{"L":[{},{"N":"1"}]},"pk":{"S":"a"}},` +
		`"SequenceNumber":"000000000000000000001"}}],"NextShardIterator":"it"}`
	out, ok := fixEmptyMaps([]byte(in))
	if !ok {
		t.Fatal("fixEmptyMaps changed nothing")
	}
	want := `{"Records":[{"eventID":"1","dynamodb":{"ApproximateCreationDateTime":1796030400.000,` +
		`"Keys":{"pk":{"S":"a"}},"NewImage":{"m":{"M":{"x":{"S":"<&>"},"e":{"M":{}}}},"e":{"M":{}},"l":{"L":[{"M":{}},{"N":"1"}]},"pk":{"S":"a"}},` +
		`"SequenceNumber":"000000000000000000001"}}],"NextShardIterator":"it"}`
	if g, w := normalJSON(t, out), normalJSON(t, []byte(want)); !reflect.DeepEqual(g, w) {
		t.Errorf("fixed =\n%s\nwant\n%s", out, want)
	}
	if !bytes.Contains(out, []byte("1796030400.000")) || !bytes.Contains(out, []byte("<&>")) {
		t.Errorf("numbers or characters were rewritten: %s", out)
	}
	for _, body := range []string{`{"Records":[]}`, `{"Records":[{"dynamodb":{"NewImage":{"m":{"M":{}}}}}]}`, `not json {}`} {
		if out, ok := fixEmptyMaps([]byte(body)); ok || string(out) != body {
			t.Errorf("fixEmptyMaps(%s) = %s, %v; want it unchanged", body, out, ok)
		}
	}
}
