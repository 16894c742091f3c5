"""English phrasebook of the demo (Singapore, Malaysia and Philippines customers)."""

from __future__ import annotations

from kefu.demo.phrases.book import Intent, IntentLines, Phrasebook

BOOK = Phrasebook(
    language="en",
    months=("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"),
    date_format="{day} {month}",
    products=("wireless earbuds", "air fryer", "running shoes", "phone case", "rice cooker",
              "smart watch", "baby stroller", "office chair"),
    greeting=("Hi {name}, thanks for reaching out! This is {agent}.",
              "Hello {name}, {agent} here from customer service.",
              "Good day {name}, my name is {agent} and I'll be helping you today."),
    closing=("Is there anything else I can help you with?",
             "Feel free to message us again if you need anything. Have a nice day!",
             "Thank you for your patience, {name}. Take care!"),
    thanks=("Thanks a lot, that helps!", "Great, thank you so much.", "Ok noted, thanks!",
            "Appreciate the quick help 👍"),
    intents={
        Intent.ORDER_STATUS: IntentLines(
            opening=("Hi, where is my order {order}? I ordered the {product} last week.",
                     "Can you check the status of order {order} please?",
                     "hello, my order {order} still shows 'processing'. When will it ship?",
                     "Hi there, any update on order {order}? Need the {product} before the weekend."),
            answer=("Order {order} left our warehouse and is with the courier, tracking number "
                    "{tracking}. It should reach you by {date}.",
                    "I've checked: order {order} was packed today and ships tomorrow. Expected "
                    "delivery is {date}, and you'll get the tracking link by SMS.",
                    "Your {product} is on the way (tracking {tracking}). The courier estimates "
                    "{date}."),
            follow_up=("Can the courier deliver after 6pm? Nobody's home during the day.",
                       "The tracking link doesn't open for me.",
                       "Ok, will it need a signature?"),
            resolution=("I've added a note for the courier to deliver after 6pm.",
                        "Here is the direct link again: tracking {tracking}. No signature needed."),
        ),
        Intent.DELIVERY_DELAY: IntentLines(
            opening=("My order {order} was supposed to arrive on {date} and it's still not here.",
                     "It's been {days} days and my {product} hasn't arrived. What's going on?",
                     "Delivery for {order} is late again. The tracking hasn't moved since {date}.",
                     "Hello? My parcel {tracking} is stuck. I need it urgently."),
            answer=("I'm sorry for the wait, {name}. The courier had a backlog at the sorting hub; "
                    "your parcel is moving again and the new estimate is {date}.",
                    "Apologies for the delay. I've raised a trace with the courier for {tracking} "
                    "and asked them to prioritise it. I'll update you within 24 hours.",
                    "Sorry about this. The parcel was held by the weather disruption; it is out "
                    "for delivery on {date}."),
            follow_up=("That's too late, I need it before the weekend.",
                       "Can I get the shipping fee back for the delay?",
                       "Ok. Please make sure it actually comes this time."),
            resolution=("I've refunded the shipping fee of {amount} as an apology; it will show "
                        "in {days} working days.",
                        "The courier confirmed delivery on {date} before noon. I'll keep an eye on it."),
        ),
        Intent.REFUND_RETURN: IntentLines(
            opening=("I want to return the {product} from order {order}, it arrived damaged.",
                     "The {product} I received is the wrong size. How do I exchange it?",
                     "I'd like a refund for order {order}. The item doesn't work.",
                     "Hi, can I return something I bought on {date}? It's unopened."),
            answer=("Sorry about that! I've approved the return. A courier will pick it up on "
                    "{date}; the refund of {amount} is issued once the warehouse receives it.",
                    "No problem. I've created an exchange for the right size; the new {product} "
                    "ships as soon as we get the old one back.",
                    "I've opened return case for order {order}. Please pack the item; pick-up is "
                    "on {date} between 9am and 6pm."),
            follow_up=("How long does the refund take?",
                       "Do I need to print a label?",
                       "Can I get the refund to my wallet instead of the card?"),
            resolution=("The refund of {amount} goes back to your original payment method within "
                        "{days} working days.",
                        "No label needed, the courier brings one. The refund follows within "
                        "{days} working days."),
        ),
        Intent.PASSWORD_RESET: IntentLines(
            opening=("I can't log in to my account, I forgot my password.",
                     "The password reset email never arrives.",
                     "My account is locked after too many attempts, please help.",
                     "How do I change my password in the app?"),
            answer=("I've sent a new reset link to {email}. It's valid for 30 minutes; please "
                    "check your spam folder too.",
                    "Your account was locked for your safety. I've unlocked it and sent a reset "
                    "link to {email}.",
                    "In the app go to Me > Settings > Security > Change password. I've also sent "
                    "a reset link to {email} just in case."),
            follow_up=("Still nothing in my inbox.", "It says the link has expired."),
            resolution=("I've sent a fresh link now; it should arrive within a minute.",
                        "Done — you can log in with the new password now."),
        ),
        Intent.EXCHANGE_RATE: IntentLines(
            opening=("What exchange rate do you use if I pay in another currency?",
                     "Why is the price in my currency different from yesterday?",
                     "Hi, what's today's rate? I want to top up my wallet."),
            answer=("Today's rate is {rate}. The rate is locked when you confirm the payment, "
                    "so it won't change after that.",
                    "We update rates every day at 9am; today it's {rate}. Your bank may add its "
                    "own fee on top."),
            follow_up=("So if I pay tomorrow it could be different?",),
            resolution=("Yes, it may change slightly tomorrow. Paying today locks {rate}.",),
        ),
        Intent.COUPON: IntentLines(
            opening=("My coupon {code} doesn't work at checkout.",
                     "I didn't get the discount with code {code}, can you help?",
                     "Where can I find the coupon from the promotion email?"),
            answer=("The coupon {code} needs a minimum spend of {amount}. Your cart is just "
                    "below that, so it was not applied.",
                    "I see {code} expired on {date}. I've added a new coupon of the same value "
                    "to your account as a courtesy.",
                    "Coupons from the email are in the app under Me > Coupons. {code} is ready there."),
            follow_up=("Can you apply it to the order I already paid?",),
            resolution=("I've refunded the difference of {amount} to your wallet.",
                        "Sure, I've applied the discount to order {order}."),
        ),
        Intent.COMPLAINT: IntentLines(
            opening=("This is unacceptable. I was charged {amount} twice for order {order}!",
                     "Second time I'm complaining about this. The {product} is broken again and "
                     "nobody answers me.",
                     "Your courier was rude and left my parcel in the rain. I want compensation.",
                     "I have waited {days} days for my refund of {amount}. Very disappointed."),
            answer=("I'm really sorry, {name}, and I understand how frustrating this is. Let me "
                    "confirm: you were charged {amount} twice for order {order}, right?",
                    "I sincerely apologise for the trouble. I've escalated your case to our "
                    "senior team and I'm personally following it up.",
                    "I'm sorry this happened. That is not the service we want to give. I've "
                    "reported the courier and I'm checking the compensation now."),
            follow_up=("Yes, that's right. I want my money back today.",
                       "I've heard this before. When exactly will it be fixed?"),
            resolution=("The duplicate charge of {amount} has been refunded; you'll see it in "
                        "{days} working days. I'll call you on {date} to confirm it arrived.",
                        "I've issued a replacement and a voucher of {amount} for the trouble. "
                        "I'll follow up with you on {date}."),
        ),
        Intent.THANKS: IntentLines(
            opening=("Just got my {product}, thank you for sorting it out so fast!",
                     "Thanks {agent} for the help yesterday, the refund came in.",
                     "Received order {order} today. Great service!"),
            answer=("So glad to hear that, {name}! Enjoy your {product}.",
                    "Thank you for letting us know, it made our day!"),
        ),
    },
)
