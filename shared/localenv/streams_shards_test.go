package localenv

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// fakeStreams serves shards from memory, for the shard-order behaviour that
// DynamoDB Local does not show (it keeps one shard per stream).
type fakeStreams struct {
	mu     sync.Mutex
	order  []string // shard ids, in DescribeStream order
	shards map[string]*fakeShard
	trace  []string // "iter <id>", "end <id>"
}

type fakeShard struct {
	parent  string
	records []types.Record
	closed  bool
	// expireAt makes the iterator at that position expire once.
	expireAt int
}

func (f *fakeStreams) add(id, parent string, closed bool, pks ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sh := &fakeShard{parent: parent, closed: closed, expireAt: -1}
	for _, pk := range pks {
		sh.records = append(sh.records, fakeRecord(pk))
	}
	f.shards[id] = sh
	f.order = append([]string{id}, f.order...) // newest first: children before parents
}

var fakeSeq int

func fakeRecord(pk string) types.Record {
	fakeSeq++
	return types.Record{
		EventID:   aws.String("id-" + pk),
		EventName: types.OperationTypeInsert,
		Dynamodb: &types.StreamRecord{
			Keys:           map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}},
			SequenceNumber: aws.String(fmt.Sprintf("%021d", fakeSeq)),
		},
	}
}

func (f *fakeStreams) ListStreams(context.Context, *dynamodbstreams.ListStreamsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.ListStreamsOutput, error) {
	return &dynamodbstreams.ListStreamsOutput{Streams: []types.Stream{{StreamArn: aws.String("arn:fake"), StreamLabel: aws.String("1"), TableName: aws.String("fake")}}}, nil
}

func (f *fakeStreams) DescribeStream(_ context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// One shard a page, to exercise paging.
	i := 0
	if in.ExclusiveStartShardId != nil {
		i = slices.Index(f.order, *in.ExclusiveStartShardId) + 1
	}
	d := &types.StreamDescription{StreamArn: in.StreamArn}
	if i < len(f.order) {
		id := f.order[i]
		d.Shards = []types.Shard{{ShardId: aws.String(id), ParentShardId: aws.String(f.shards[id].parent)}}
		if f.shards[id].parent == "" {
			d.Shards[0].ParentShardId = nil
		}
		if i+1 < len(f.order) {
			d.LastEvaluatedShardId = aws.String(id)
		}
	}
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: d}, nil
}

func (f *fakeStreams) GetShardIterator(_ context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := *in.ShardId
	sh := f.shards[id]
	pos := 0
	if in.ShardIteratorType == types.ShardIteratorTypeAfterSequenceNumber {
		pos = slices.IndexFunc(sh.records, func(r types.Record) bool { return *r.Dynamodb.SequenceNumber == *in.SequenceNumber }) + 1
	}
	f.trace = append(f.trace, fmt.Sprintf("iter %s %s@%d", id, in.ShardIteratorType, pos))
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(fmt.Sprintf("%s|%d", id, pos))}, nil
}

func (f *fakeStreams) GetRecords(_ context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, p, _ := strings.Cut(*in.ShardIterator, "|")
	pos, _ := strconv.Atoi(p)
	sh := f.shards[id]
	if sh.expireAt == pos {
		sh.expireAt = -1
		return nil, &types.ExpiredIteratorException{Message: aws.String("expired")}
	}
	// At most two records a call.
	end := min(pos+2, len(sh.records))
	out := &dynamodbstreams.GetRecordsOutput{Records: slices.Clone(sh.records[pos:end])}
	if sh.closed && end == len(sh.records) {
		f.trace = append(f.trace, "end "+id)
	} else {
		out.NextShardIterator = aws.String(fmt.Sprintf("%s|%d", id, end))
	}
	return out, nil
}

func TestPollStreamShards(t *testing.T) {
	f := &fakeStreams{shards: map[string]*fakeShard{}}
	f.add("parent", "", true, "p1", "p2", "p3")
	f.add("child", "parent", false, "c1")
	f.shards["child"].expireAt = 1 // after c1
	rec := &recorder{}
	p, err := PollStream(context.Background(), f, "fake", "", rec.handle, StreamOptions{Interval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if p.StreamARN() != "arn:fake" {
		t.Errorf("StreamARN = %s", p.StreamARN())
	}
	rec.waitKey(t, "c1")

	// The open child ends; its own child, new, is found and read.
	f.mu.Lock()
	f.shards["child"].records = append(f.shards["child"].records, fakeRecord("c2"))
	f.shards["child"].closed = true
	f.mu.Unlock()
	f.add("grandchild", "child", false, "g1")
	calls := rec.waitKey(t, "g1")

	var got []string
	for _, c := range calls {
		got = append(got, keys(c)...)
	}
	if want := []string{"p1", "p2", "p3", "c1", "c2", "g1"}; !slices.Equal(got, want) {
		t.Errorf("records = %v, want %v", got, want)
	}
	f.mu.Lock()
	trace := slices.Clone(f.trace)
	f.mu.Unlock()
	want := []string{
		"iter parent TRIM_HORIZON@0", "end parent",
		"iter child TRIM_HORIZON@0", "iter child AFTER_SEQUENCE_NUMBER@1", "end child",
		"iter grandchild TRIM_HORIZON@0",
	}
	if !slices.Equal(trace, want) {
		t.Errorf("trace = %q, want %q", trace, want)
	}
}
